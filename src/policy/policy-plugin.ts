import createPlugin, { type Plugin } from '@extism/extism';
import type { BatchHookName, HookName } from './hook-name.js';
import type { PolicyFailureKind } from './policy-failure.js';

/** What one hook call came to: its output text, or how it failed. */
export type HookCallResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly kind: PolicyFailureKind; readonly message: string };

export interface PolicyPluginLimits {
  /** Bytes the module may ask the host for (Extism blocks: input, output, config) per call. */
  readonly hostBytesPerCall: number;
  /** A longer output is refused before it is decoded (a huge rewrite). */
  readonly maxOutputBytes: number;
}

/** Thrown from inside a host call (so it unwinds the module) when a call asks for too much. */
class HostMemoryExceeded extends Error {
  readonly code = 'ARQ_ERR_POLICY_HOST_MEMORY';
}

/** The name Extism gives the one module of a manifest whose item has none. */
const MODULE_NAME = '0';

const SILENT: Console = { ...console, info() {}, debug() {}, warn() {}, error() {}, log() {} };

/**
 * One instance of a policy module under Extism, with the limits Extism 1.0.3 lacks: its own
 * memory is capped by the module's rewritten maximum (limitMemory), and the host blocks it may
 * allocate per call are counted here, by overriding the kernel's `alloc` (Extism lets host
 * functions of a namespace replace its own). Time is not limited here: a call cannot be
 * interrupted in its thread, so the runner's owner stops the whole thread (PolicyRunner).
 */
export class PolicyPlugin {
  readonly #plugin: Plugin;
  readonly #limits: PolicyPluginLimits;
  readonly #maxMemoryBytes: number;
  readonly #budget: { used: number; limit: number };

  private constructor(
    plugin: Plugin,
    limits: PolicyPluginLimits,
    maxMemoryBytes: number,
    budget: { used: number; limit: number },
  ) {
    this.#plugin = plugin;
    this.#limits = limits;
    this.#maxMemoryBytes = maxMemoryBytes;
    this.#budget = budget;
  }

  /** Instantiates `module` (its start function runs now: a trap here rejects). */
  static async create(
    module: WebAssembly.Module,
    config: Readonly<Record<string, string>>,
    limits: PolicyPluginLimits,
    maxMemoryBytes: number,
  ): Promise<PolicyPlugin> {
    const budget = { used: 0, limit: limits.hostBytesPerCall };
    const plugin = await createPlugin(
      { wasm: [{ module }], config: { ...config } },
      {
        useWasi: false,
        logger: SILENT,
        functions: {
          'extism:host/env': {
            alloc: (context: { alloc(n: bigint): bigint }, n: bigint) => {
              budget.used += Number(n);
              if (budget.used > budget.limit) {
                throw new HostMemoryExceeded(
                  `asked the host for over ${budget.limit} bytes in one call`,
                );
              }
              return context.alloc(n);
            },
          },
        },
      },
    );
    return new PolicyPlugin(plugin, limits, maxMemoryBytes, budget);
  }

  /**
   * Calls `hook` with `input`; never throws: every failure becomes a result. `count` is how many
   * messages the call is for (a batch hook): its host memory and output limits are per message.
   */
  async call(hook: HookName | BatchHookName, input: string, count = 1): Promise<HookCallResult> {
    this.#budget.used = 0;
    this.#budget.limit = this.#limits.hostBytesPerCall * count;
    const maxOutputBytes = this.#limits.maxOutputBytes * count;
    try {
      // Named by module ('0', the only one): by bare name Extism searches the module's export
      // list on every call, about a third of a trivial call's cost.
      const output = await this.#plugin.call([MODULE_NAME, hook], input);
      if (output === null) return { ok: false, kind: 'bad_verdict', message: 'no output' };
      if (output.bytes().byteLength > maxOutputBytes) {
        return {
          ok: false,
          kind: 'bad_verdict',
          message: `verdict of ${output.bytes().byteLength} bytes, over the limit of ${maxOutputBytes}`,
        };
      }
      return { ok: true, text: output.text() };
    } catch (error) {
      if (error instanceof HostMemoryExceeded)
        return { ok: false, kind: 'memory', message: `out of memory (${error.message})` };
      if (await this.#memoryExhausted())
        return { ok: false, kind: 'memory', message: 'out of memory (its memory limit reached)' };
      const text = error instanceof Error ? error.message : String(error);
      return { ok: false, kind: 'trap', message: `trapped (${text})` };
    } finally {
      await this.#plugin.reset();
    }
  }

  close(): Promise<void> {
    return this.#plugin.close();
  }

  /** A trap with the memory at its cap is the module failing to grow it (out of memory). */
  async #memoryExhausted(): Promise<boolean> {
    try {
      const instance = await this.#plugin.getInstance();
      const memory = instance.exports.memory;
      if (!(memory instanceof WebAssembly.Memory)) return false;
      // A grow that failed leaves the memory within one large allocation of the cap.
      return memory.buffer.byteLength * 2 > this.#maxMemoryBytes;
    } catch {
      return false;
    }
  }
}

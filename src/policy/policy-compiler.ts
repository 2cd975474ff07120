import { Piscina } from 'piscina';
import type { CompiledPolicy, CompileLimits } from './compile-policy.js';
import type { CompileAnswer, CompileTask } from './policy-compile-task.js';
import { PolicyError } from './policy-error.js';

const TASK_URL = new URL('./policy-compile-task.js', import.meta.url);
/** A module that has not compiled and loaded by then is refused (its start function may loop). */
export const DEFAULT_COMPILE_TIMEOUT_MS = 10_000;
/** Compile threads kept after a push; pushes are rare, so none lingers long. */
const IDLE_TIMEOUT_MS = 30_000;

export type CompileMode = 'pool' | 'inline';

export interface PolicyCompilerOptions {
  readonly limits: CompileLimits;
  /**
   * `pool` (the default): in a piscina thread, so the edge keeps serving while a large module
   * compiles. `inline`: in the calling thread, for the benchmark that compares the two; a module
   * whose start function loops then hangs the caller.
   */
  readonly mode?: CompileMode;
  readonly timeoutMs?: number;
}

/**
 * Checks and compiles pushed modules (compilePolicy) off the edge thread, in a piscina pool: a
 * stateless, CPU-heavy job (DESIGN.md's use of piscina). The compiled WebAssembly.Module comes back
 * to the caller by structured clone, which shares the compiled code rather than compiling again.
 */
export class PolicyCompiler {
  readonly #options: PolicyCompilerOptions;
  readonly #pool: Piscina | null;

  constructor(options: PolicyCompilerOptions) {
    this.#options = options;
    this.#pool =
      (options.mode ?? 'pool') === 'pool'
        ? new Piscina({
            filename: TASK_URL.href,
            minThreads: 0,
            maxThreads: 1,
            idleTimeout: IDLE_TIMEOUT_MS,
            // Extism imports node:wasi, which warns on every thread that loads it.
            execArgv: ['--no-warnings'],
          })
        : null;
  }

  async compile(bytes: Uint8Array): Promise<CompiledPolicy> {
    const task: CompileTask = { bytes, limits: this.#options.limits };
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_COMPILE_TIMEOUT_MS;
    let answer: CompileAnswer;
    if (this.#pool === null) {
      const { default: run } = await import('./policy-compile-task.js');
      answer = await run(task);
    } else {
      try {
        answer = (await this.#pool.run(task, {
          signal: AbortSignal.timeout(timeoutMs),
        })) as CompileAnswer;
      } catch (error) {
        const timedOut = error instanceof Error && /abort/i.test(error.name + error.message);
        throw new PolicyError(
          'ARQ_ERR_POLICY_MODULE',
          timedOut
            ? `the module did not compile and load within ${timeoutMs} ms`
            : `the module could not be compiled: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    }
    if (!answer.ok) throw new PolicyError('ARQ_ERR_POLICY_MODULE', answer.message);
    return answer.compiled;
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
  }
}

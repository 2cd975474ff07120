import { createHash } from 'node:crypto';
import { HOOK_NAMES, type HookName, isHookName } from './hook-name.js';
import { PolicyError } from './policy-error.js';
import { PolicyPlugin, type PolicyPluginLimits } from './policy-plugin.js';
import { isWasm, limitMemory, WASM_PAGE_BYTES } from './wasm-memory-limit.js';

/** A custom section whose content, a JSON object of strings, becomes the module's Extism config. */
export const CONFIG_SECTION = 'arqon.config';

export interface CompileLimits extends PolicyPluginLimits {
  readonly maxMemoryPages: number;
}

/** A pushed module, checked and compiled: what every thread of the node instantiates. */
export interface CompiledPolicy {
  /** Of the bytes as pushed (what `sha256sum FILE.wasm` prints). */
  readonly sha256: string;
  readonly hooks: readonly HookName[];
  readonly config: Readonly<Record<string, string>>;
  /** Compiled from the memory-capped bytes; structured-clones between threads without recompiling. */
  readonly module: WebAssembly.Module;
}

function refuse(message: string, cause?: unknown): PolicyError {
  return new PolicyError('ARQ_ERR_POLICY_MODULE', message, cause === undefined ? {} : { cause });
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Everything a push is checked against, in the order a user would fix them: Wasm at all, a valid
 * module, at least one hook, a usable config section, and an instantiation that does not trap
 * (the module's start function runs). CPU-heavy (compilation of a large module takes long), so the
 * node runs it in its piscina pool (PolicyCompiler), never on the edge thread. Throws
 * ARQ_ERR_POLICY_MODULE with a message meant for the user who pushed.
 */
export async function compilePolicy(
  bytes: Uint8Array,
  limits: CompileLimits,
): Promise<CompiledPolicy> {
  if (bytes.length === 0) throw refuse('the body is empty; send the module as application/wasm');
  if (!isWasm(bytes)) throw refuse('the body is not a WebAssembly module (no \\0asm header)');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const capped = limitMemory(bytes, limits.maxMemoryPages);
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(capped);
  } catch (error) {
    throw refuse(`not a valid WebAssembly module: ${reason(error)}`, error);
  }
  const hooks = WebAssembly.Module.exports(module)
    .filter((e) => e.kind === 'function' && isHookName(e.name))
    .map((e) => e.name as HookName)
    .sort((a, b) => HOOK_NAMES.indexOf(a) - HOOK_NAMES.indexOf(b));
  if (hooks.length === 0)
    throw refuse(`the module exports no hook (one of ${HOOK_NAMES.join(', ')})`);
  const config = readConfig(module);
  let plugin: PolicyPlugin;
  try {
    plugin = await PolicyPlugin.create(
      module,
      config,
      limits,
      limits.maxMemoryPages * WASM_PAGE_BYTES,
    );
  } catch (error) {
    throw refuse(`the module fails when loaded: ${reason(error)}`, error);
  }
  await plugin.close();
  return { sha256, hooks, config, module };
}

function readConfig(module: WebAssembly.Module): Record<string, string> {
  const sections = WebAssembly.Module.customSections(module, CONFIG_SECTION);
  if (sections.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(sections[0] as ArrayBuffer).toString('utf8'));
  } catch (error) {
    throw refuse(`custom section ${CONFIG_SECTION} is not JSON`, error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw refuse(`custom section ${CONFIG_SECTION} must be a JSON object of strings`);
  const config: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw refuse(`custom section ${CONFIG_SECTION}: "${key}" must be a string`);
    config[key] = v;
  }
  return config;
}

import { PolicyError } from './policy-error.js';

/** PROTOCOL section 6: a hook's time budget unless the push sets timeout_ms. */
export const DEFAULT_POLICY_TIMEOUT_MS = 50;
export const MAX_POLICY_TIMEOUT_MS = 10_000;
/** 16 MiB of Wasm memory per instance. */
export const DEFAULT_POLICY_MEMORY_PAGES = 256;
/** A verdict (a rewrite included) larger than this fails the hook. */
export const DEFAULT_MAX_VERDICT_BYTES = 1024 * 1024;
/** Host memory (Extism blocks) one call may allocate: input, output and config copies. */
export const DEFAULT_HOST_BYTES_PER_CALL = 16 * 1024 * 1024;
/** The largest module the admin API accepts. */
export const DEFAULT_MAX_MODULE_BYTES = 16 * 1024 * 1024;

export interface PolicyLimits {
  readonly maxMemoryPages: number;
  readonly maxOutputBytes: number;
  readonly hostBytesPerCall: number;
  readonly maxModuleBytes: number;
}

export const DEFAULT_POLICY_LIMITS: PolicyLimits = Object.freeze({
  maxMemoryPages: DEFAULT_POLICY_MEMORY_PAGES,
  maxOutputBytes: DEFAULT_MAX_VERDICT_BYTES,
  hostBytesPerCall: DEFAULT_HOST_BYTES_PER_CALL,
  maxModuleBytes: DEFAULT_MAX_MODULE_BYTES,
});

/** timeout_ms of a push: a whole number of ms, 1 to MAX_POLICY_TIMEOUT_MS; null: the default. */
export function parseTimeoutMs(value: string | null): number {
  if (value === null || value === '') return DEFAULT_POLICY_TIMEOUT_MS;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_POLICY_TIMEOUT_MS) {
    throw new PolicyError(
      'ARQ_ERR_POLICY_OPTIONS',
      `timeout_ms: a whole number of milliseconds from 1 to ${MAX_POLICY_TIMEOUT_MS}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

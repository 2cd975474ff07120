import type { HookName } from './hook-name.js';

/** A hook's answer, checked: allow (maybe rewriting a publish) or deny. */
export type HookVerdict =
  | {
      readonly allow: true;
      /** on_publish only: the message's new data (any JSON value), when present. */
      readonly data?: unknown;
      readonly hasData: boolean;
      readonly headers: Readonly<Record<string, string>> | null;
    }
  | { readonly allow: false; readonly reason: string; readonly disconnect: boolean };

/** Why a hook's output is not a verdict (the call then fails as `bad_verdict`). */
export type VerdictProblem = { readonly problem: string };

const VERDICT_KEYS = new Set(['allow', 'reason', 'data', 'headers', 'disconnect']);
const MAX_REASON_CHARS = 512;

/**
 * Checks a hook's output text against PROTOCOL section 6: `{"allow":true}`,
 * `{"allow":false,"reason":..}`, for on_publish also `data`/`headers`, and `disconnect` on a deny.
 * Anything else (not JSON, extra or mistyped members, a rewrite outside on_publish) is a problem:
 * a policy that answers nonsense must deny, not be read generously.
 */
export function parseVerdict(hook: HookName, text: string): HookVerdict | VerdictProblem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'output is not JSON' };
  }
  return checkVerdict(hook, value);
}

/**
 * The output of an `on_publish_batch` call over `count` inputs: a JSON array of exactly `count`
 * verdicts, in the inputs' order. A problem of the whole (not JSON, not an array, another length)
 * fails the call, so every message of it; a problem of one element fails that message only.
 */
export function parseBatchVerdicts(
  text: string,
  count: number,
): (HookVerdict | VerdictProblem)[] | VerdictProblem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'batch output is not JSON' };
  }
  if (!Array.isArray(value)) return { problem: 'batch output is not a JSON array' };
  if (value.length !== count)
    return { problem: `batch of ${count} answered ${value.length} verdicts` };
  return value.map((v: unknown) => checkVerdict('on_publish', v));
}

function checkVerdict(hook: HookName, value: unknown): HookVerdict | VerdictProblem {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problem: 'verdict is not a JSON object' };
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!VERDICT_KEYS.has(key)) return { problem: `verdict has an unknown member "${key}"` };
  }
  if (typeof v.allow !== 'boolean') return { problem: 'verdict.allow must be true or false' };
  if (v.disconnect !== undefined && typeof v.disconnect !== 'boolean')
    return { problem: 'verdict.disconnect must be a boolean' };
  if (!v.allow) {
    if (v.data !== undefined || v.headers !== undefined)
      return { problem: 'a deny cannot rewrite the message' };
    const reason = v.reason === undefined ? 'denied' : v.reason;
    if (typeof reason !== 'string') return { problem: 'verdict.reason must be a string' };
    return {
      allow: false,
      reason: reason.slice(0, MAX_REASON_CHARS),
      disconnect: v.disconnect === true,
    };
  }
  if (v.disconnect === true) return { problem: 'disconnect is allowed on a deny only' };
  if (v.reason !== undefined && typeof v.reason !== 'string')
    return { problem: 'verdict.reason must be a string' };
  const rewrites = v.data !== undefined || v.headers !== undefined;
  if (rewrites && hook !== 'on_publish')
    return { problem: `${hook} cannot rewrite: data and headers are for on_publish` };
  let headers: Record<string, string> | null = null;
  if (v.headers !== undefined) {
    if (typeof v.headers !== 'object' || v.headers === null || Array.isArray(v.headers))
      return { problem: 'verdict.headers must be an object of strings' };
    for (const h of Object.values(v.headers)) {
      if (typeof h !== 'string') return { problem: 'verdict.headers must be an object of strings' };
    }
    headers = v.headers as Record<string, string>;
  }
  return v.data !== undefined
    ? { allow: true, data: v.data, hasData: true, headers }
    : { allow: true, hasData: false, headers };
}

export function isVerdictProblem<T extends object>(
  value: T | VerdictProblem,
): value is VerdictProblem {
  return !Array.isArray(value) && 'problem' in value;
}

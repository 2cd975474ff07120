import { Host } from '@extism/as-pdk';
import { quote, skipValue, skipWs } from './json';

export const ALLOW = '{"allow":true}';

/** A deny verdict with `reason`; `disconnect` also closes the sender's socket (4003). */
export function denyText(reason: string, disconnect: bool = false): string {
  return '{"allow":false,"reason":' + quote(reason) + (disconnect ? ',"disconnect":true}' : '}');
}

/** An allow verdict that replaces the message's data with `dataJson` (a JSON value). */
export function rewriteText(dataJson: string): string {
  return '{"allow":true,"data":' + dataJson + '}';
}

/**
 * Writes `text` as the hook's output and returns the hook's exit code (0). Host.outputString
 * sizes its block by UTF-16 length, too small for text that is not ASCII: the bytes go as bytes.
 */
export function output(text: string): i32 {
  Host.output(Uint8Array.wrap(String.UTF8.encode(text)));
  return 0;
}

/** Writes the allow verdict. */
export function allow(): i32 {
  return output(ALLOW);
}

/** Writes a deny verdict (see denyText). */
export function deny(reason: string, disconnect: bool = false): i32 {
  return output(denyText(reason, disconnect));
}

/** Writes a rewriting allow verdict (see rewriteText). */
export function rewrite(dataJson: string): i32 {
  return output(rewriteText(dataJson));
}

/**
 * The output of on_publish_batch: the JSON array of on_publish inputs in `input` mapped by
 * `decide` (one on_publish input's text to its verdict's text) to the array of verdicts, in order.
 * A policy exports both hooks over the same `decide`, so they cannot disagree.
 */
export function batchOutput(input: string, decide: (item: string) => string): i32 {
  let out = '[';
  let i = skipWs(input, 0);
  if (i >= input.length || input.charCodeAt(i) != 0x5b) unreachable();
  i = skipWs(input, i + 1);
  let first = true;
  while (i < input.length && input.charCodeAt(i) != 0x5d) {
    const end = skipValue(input, i);
    if (end < 0) unreachable();
    if (!first) out += ',';
    first = false;
    out += decide(input.substring(i, end));
    i = skipWs(input, end);
    if (i < input.length && input.charCodeAt(i) == 0x2c) i = skipWs(input, i + 1);
  }
  return output(out + ']');
}

/**
 * What AssemblyScript calls on a failed assertion or a runtime error (`--use abort=...`): it
 * traps, so the host sees a failed hook and denies (fail closed), instead of the policy going on.
 */
export function policyAbort(
  _message: string | null,
  _fileName: string | null,
  _line: u32,
  _column: u32,
): void {
  unreachable();
}

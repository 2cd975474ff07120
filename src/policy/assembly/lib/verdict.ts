import { Host } from '@extism/as-pdk';
import { quote } from './json';

/** Writes the allow verdict. Returns the hook's exit code (0). */
export function allow(): i32 {
  Host.outputString('{"allow":true}');
  return 0;
}

/** Writes a deny verdict with `reason`; `disconnect` also closes the sender's socket (4003). */
export function deny(reason: string, disconnect: bool = false): i32 {
  Host.outputString(
    '{"allow":false,"reason":' + quote(reason) + (disconnect ? ',"disconnect":true}' : '}'),
  );
  return 0;
}

/** Writes an allow verdict that replaces the message's data with `dataJson` (a JSON value). */
export function rewrite(dataJson: string): i32 {
  Host.outputString('{"allow":true,"data":' + dataJson + '}');
  return 0;
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

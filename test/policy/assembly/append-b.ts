// Rewrites a string `data` by appending "b" (with append-b, shows the order rewrites chain in).
import { Host } from '@extism/as-pdk';
import { findMember, quote, readString } from '../../../src/policy/assembly/lib/json';
import { allow, rewrite } from '../../../src/policy/assembly/lib/verdict';

export function on_publish(): i32 {
  const input = Host.inputString();
  const at = findMember(input, 'data');
  if (at < 0 || input.charCodeAt(at) != 0x22) return allow();
  return rewrite(quote(readString(input, at) + 'b'));
}

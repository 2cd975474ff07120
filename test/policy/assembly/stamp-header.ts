// Rewrites only the headers: keeps the data and adds x-stamped (data must survive untouched).

import { Host } from '@extism/as-pdk';
import { allow } from '../../../src/policy/assembly/lib/verdict';

export function on_publish(): i32 {
  Host.outputString('{"allow":true,"headers":{"x-stamped":"yes"}}');
  return 0;
}
export function on_join(): i32 {
  return allow();
}

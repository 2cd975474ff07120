// Answers JSON that is not a verdict: allow is a string, and a join verdict rewrites data.
import { Host } from '@extism/as-pdk';

export function on_publish(): i32 {
  Host.outputString('{"allow":"yes"}');
  return 0;
}
export function on_join(): i32 {
  Host.outputString('{"allow":true,"data":"not for joins"}');
  return 0;
}

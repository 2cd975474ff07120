// A join verdict that rewrites data, which only on_publish may.
import { Host } from '@extism/as-pdk';

export function on_join(): i32 {
  Host.outputString('{"allow":true,"data":"not for joins"}');
  return 0;
}

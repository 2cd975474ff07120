// Rewrites data into a string of 1.1 MiB: over the host's verdict size limit.
import { Host } from '@extism/as-pdk';

export function on_publish(): i32 {
  Host.outputString('{"allow":true,"data":"' + 'x'.repeat(1100 * 1024) + '"}');
  return 0;
}

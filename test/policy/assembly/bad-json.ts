// Answers something that is not JSON.
import { Host } from '@extism/as-pdk';

export function on_publish(): i32 {
  Host.outputString('{"allow": tru');
  return 0;
}

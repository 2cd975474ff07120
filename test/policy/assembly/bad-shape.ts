// Answers JSON that is not a verdict: allow is a string.
import { Host } from '@extism/as-pdk';

export function on_publish(): i32 {
  Host.outputString('{"allow":"yes"}');
  return 0;
}

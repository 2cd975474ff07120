// Denies every publish and asks for the sender to be disconnected.
import { deny } from '../../../src/policy/assembly/lib/verdict';

export function on_publish(): i32 {
  return deny('go away', true);
}

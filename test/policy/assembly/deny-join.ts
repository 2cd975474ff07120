// Denies every join; allows connects and publishes.
import { allow, deny } from '../../../src/policy/assembly/lib/verdict';

export function on_join(): i32 {
  return deny('no joining today');
}
export function on_connect(): i32 {
  return allow();
}

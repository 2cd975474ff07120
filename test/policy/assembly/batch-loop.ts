// Allows one message at a time, but its batch hook never returns: the runner thread is stopped
// past the batch's budget and every message of that call fails (timeout).
import { allow } from '../../../src/policy/assembly/lib/verdict';

export function on_publish(): i32 {
  return allow();
}

let spins: i64 = 0;

export function on_publish_batch(): i32 {
  while (true) spins++;
  return 0;
}

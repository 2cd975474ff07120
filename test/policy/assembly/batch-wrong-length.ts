// Allows one message at a time, but its batch hook answers one verdict whatever the batch's
// length: a batch of several must fail closed as a whole.
import { allow, output } from '../../../src/policy/assembly/lib/verdict';

export function on_publish(): i32 {
  return allow();
}

export function on_publish_batch(): i32 {
  return output('[{"allow":true}]');
}

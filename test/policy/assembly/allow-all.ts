// Allows everything at every hook (the cost of a hook call that does nothing).
import { allow } from '../../../src/policy/assembly/lib/verdict';

export function on_connect(): i32 {
  return allow();
}
export function on_join(): i32 {
  return allow();
}
export function on_publish(): i32 {
  return allow();
}

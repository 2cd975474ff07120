// on_join traps (unreachable).
export function on_join(): i32 {
  unreachable();
  return 0;
}

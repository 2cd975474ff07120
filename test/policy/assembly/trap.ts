// Every hook traps (unreachable).
export function on_connect(): i32 {
  unreachable();
  return 0;
}
export function on_join(): i32 {
  unreachable();
  return 0;
}
export function on_publish(): i32 {
  unreachable();
  return 0;
}

// on_publish traps (unreachable).
export function on_publish(): i32 {
  unreachable();
  return 0;
}

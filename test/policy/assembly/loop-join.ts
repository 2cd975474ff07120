// on_join loops forever.
export function on_join(): i32 {
  while (true) {}
  return 0;
}

// on_connect loops forever.
export function on_connect(): i32 {
  while (true) {}
  return 0;
}

// Every hook loops forever: the host must stop it at its time budget and deny.
export function on_connect(): i32 {
  while (true) {}
  return 0;
}
export function on_join(): i32 {
  while (true) {}
  return 0;
}
export function on_publish(): i32 {
  while (true) {}
  return 0;
}

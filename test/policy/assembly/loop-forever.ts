// on_publish loops forever: the host must stop it at its time budget and deny.
export function on_publish(): i32 {
  while (true) {}
  return 0;
}

// Grows its memory until it cannot: the host's memory limit must stop it and deny.
const kept: ArrayBuffer[] = [];

export function on_publish(): i32 {
  while (true) kept.push(new ArrayBuffer(1024 * 1024));
  return 0;
}

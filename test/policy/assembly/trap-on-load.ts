// Traps while it is instantiated (top-level code runs in the module's start function).
export function on_publish(): i32 {
  return 0;
}
unreachable();

// A valid module that exports no hook.
export function hello(): i32 {
  return 42;
}

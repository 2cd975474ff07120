/** A non-negative integer as unsigned LEB128, the variable-length integers of the Wasm binary format. */
export function uleb128(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

const encoder = new TextEncoder();
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/**
 * UTF-8 bytes of a string. In Node, `Buffer.from` measured ~4x faster than `TextEncoder.encode` on
 * short strings (Node 20); it may return a view into Node's shared pool, so the result is a plain
 * Uint8Array view: respect its byteOffset/byteLength and never transfer its `.buffer`.
 */
export function encodeUtf8(s: string): Uint8Array {
  if (NodeBuffer === undefined) return encoder.encode(s);
  const b = NodeBuffer.from(s, 'utf8');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

import { PolicyError } from './policy-error.js';
import { uleb128 } from './uleb128.js';

/** `\0asm` then version 1. */
const WASM_MAGIC: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const MEMORY_SECTION = 5;
const LIMITS_MIN = 0x00;
const LIMITS_MIN_MAX = 0x01;
/** 64 KiB */
export const WASM_PAGE_BYTES = 65_536;

export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= WASM_MAGIC.length && WASM_MAGIC.every((b, i) => bytes[i] === b);
}

function refuse(problem: string): PolicyError {
  return new PolicyError('ARQ_ERR_POLICY_MODULE', `not a usable policy module: ${problem}`);
}

function readLeb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    if (i >= bytes.length || shift > 28) throw refuse('truncated or malformed section');
    const b = bytes[i++] as number;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, next: i };
    shift += 7;
  }
}

/**
 * The module with its memory capped at `maxPages`: the memory section's limits get a maximum (the
 * smaller of the module's own and ours), so a `memory.grow` past it fails inside the module, which
 * AssemblyScript and Rust turn into a trap. Extism 1.0.3 has no memory limit of its own; this is
 * exact and costs nothing per call. A module that starts above the limit, or whose memory is shared
 * or 64-bit, is refused. A module without a memory section is returned as it is (it has no memory
 * of its own to grow; one it imports cannot link, since the host provides none).
 */
export function limitMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  if (!isWasm(bytes)) throw refuse('the body is not a WebAssembly module (no \\0asm header)');
  let at = WASM_MAGIC.length;
  while (at < bytes.length) {
    const id = bytes[at] as number;
    const size = readLeb(bytes, at + 1);
    const contentStart = size.next;
    const contentEnd = contentStart + size.value;
    if (contentEnd > bytes.length) throw refuse('a section runs past the end of the module');
    if (id !== MEMORY_SECTION) {
      at = contentEnd;
      continue;
    }
    const count = readLeb(bytes, contentStart);
    if (count.value === 0) return bytes;
    if (count.value > 1) throw refuse('more than one memory');
    const flags = bytes[count.next];
    if (flags !== LIMITS_MIN && flags !== LIMITS_MIN_MAX) throw refuse('a shared or 64-bit memory');
    const min = readLeb(bytes, count.next + 1);
    let max = maxPages;
    let limitsEnd = min.next;
    if (flags === LIMITS_MIN_MAX) {
      const own = readLeb(bytes, min.next);
      max = Math.min(own.value, maxPages);
      limitsEnd = own.next;
    }
    if (limitsEnd !== contentEnd) throw refuse('malformed memory section');
    if (min.value > maxPages) {
      throw refuse(
        `its memory starts at ${min.value} pages, over the limit of ${maxPages} pages (${(maxPages * WASM_PAGE_BYTES) / 2 ** 20} MiB)`,
      );
    }
    const content = [...uleb128(1), LIMITS_MIN_MAX, ...uleb128(min.value), ...uleb128(max)];
    const section = [MEMORY_SECTION, ...uleb128(content.length), ...content];
    const out = new Uint8Array(at + section.length + (bytes.length - contentEnd));
    out.set(bytes.subarray(0, at), 0);
    out.set(section, at);
    out.set(bytes.subarray(contentEnd), at + section.length);
    return out;
  }
  return bytes;
}

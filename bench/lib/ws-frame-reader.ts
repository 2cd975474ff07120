/**
 * Splits the byte stream of a WebSocket server (RFC 6455 section 5.2; server frames are never
 * masked) into frames, handing each out as (opcode, chunk, start, end) without copying it: the
 * load generators read hundreds of thousands of frames per second, and the view and stream
 * bookkeeping `ws` spends per frame was most of their user time (bench/RESULTS.md, cluster,
 * session 6).
 *
 *   byte 0: FIN(1) RSV(3) opcode(4)   byte 1: MASK(1) length(7)
 *   length 126: 16-bit length follows; 127: 64-bit length follows; then the payload.
 */
export const OPCODE_CONTINUATION = 0x0;
export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
export const OPCODE_PING = 0x9;
export const OPCODE_PONG = 0xa;

const FIN_BIT = 0x80;
const OPCODE_MASK = 0x0f;
const MASK_BIT = 0x80;
const LENGTH_MASK = 0x7f;
const LENGTH_16 = 126;
const LENGTH_64 = 127;
const HEADER_BYTES = 2;

/** A frame: its bytes are `chunk[start, end)`, valid only during the call. */
export type FrameHandler = (opcode: number, chunk: Buffer, start: number, end: number) => void;

/** Why the stream cannot be read on (the connection should be dropped). */
export type FrameStreamFault = 'masked_server_frame' | 'fragmented_frame' | 'frame_too_large';

export class WsFrameReader {
  readonly #onFrame: FrameHandler;
  /**
   * The bytes of a frame cut by the end of the last chunk, as the chunks came: a frame of 1 MB
   * arrives in ~16 reads, and joining the rest to each new chunk would copy it ~16 times.
   */
  #parts: Buffer[] = [];
  #partBytes = 0;
  /** Bytes the cut frame needs in all (header included), once its header is whole; else 0. */
  #needed = 0;

  constructor(onFrame: FrameHandler) {
    this.#onFrame = onFrame;
  }

  /** Reads every whole frame of `chunk`; a fault ends reading (the stream cannot be resynced). */
  push(chunk: Buffer): FrameStreamFault | null {
    let buf = chunk;
    if (this.#parts.length > 0) {
      this.#parts.push(chunk);
      this.#partBytes += chunk.length;
      // Still short of the frame the parts begin: nothing to read yet, nothing copied.
      if (this.#needed > 0 && this.#partBytes < this.#needed) return null;
      buf = Buffer.concat(this.#parts, this.#partBytes);
      this.#parts = [];
      this.#partBytes = 0;
      this.#needed = 0;
    }
    let at = 0;
    while (buf.length - at >= HEADER_BYTES) {
      const b0 = buf[at]!;
      const b1 = buf[at + 1]!;
      if ((b1 & MASK_BIT) !== 0) return 'masked_server_frame';
      // uWS and the peers never fragment what they send; a bench client need not reassemble.
      if ((b0 & FIN_BIT) === 0 || (b0 & OPCODE_MASK) === OPCODE_CONTINUATION)
        return 'fragmented_frame';
      let length = b1 & LENGTH_MASK;
      let start = at + HEADER_BYTES;
      if (length === LENGTH_16) {
        if (buf.length - start < 2) break;
        length = buf.readUInt16BE(start);
        start += 2;
      } else if (length === LENGTH_64) {
        if (buf.length - start < 8) break;
        const high = buf.readUInt32BE(start);
        if (high > 0x1f_ffff) return 'frame_too_large';
        length = high * 0x1_0000_0000 + buf.readUInt32BE(start + 4);
        start += 8;
      }
      const end = start + length;
      if (end > buf.length) {
        this.#needed = end - at;
        break;
      }
      this.#onFrame(b0 & OPCODE_MASK, buf, start, end);
      at = end;
    }
    if (at < buf.length) {
      this.#parts.push(buf.subarray(at));
      this.#partBytes = buf.length - at;
    }
    return null;
  }
}

/**
 * The fixed binary header of every envelope that crosses a thread boundary inside one node.
 *
 *  byte  0      2      4             8            12              16                     24            28            32
 *        +------+------+-------------+-------------+---------------+----------------------+-------------+-------------+
 *        | kind | flags| connId      | roomId      | correlationId | value (f64)          | keyLength   | payloadLen  |
 *        | u16  | u16  | u32         | u32         | u32           | offset or timestamp  | u32         | u32         |
 *        +------+------+-------------+-------------+---------------+----------------------+-------------+-------------+
 *
 * Every field sits at its natural alignment when the header starts on an 8-byte boundary, so the ring
 * reads and writes it through plain typed-array views (native byte order: both ends are one process).
 * The key (e.g. a UTF-8 room key) and the opaque payload follow the header back to back.
 */
export const HEADER_KIND_OFFSET = 0;
export const HEADER_FLAGS_OFFSET = 2;
export const HEADER_CONN_ID_OFFSET = 4;
export const HEADER_ROOM_ID_OFFSET = 8;
export const HEADER_CORRELATION_ID_OFFSET = 12;
export const HEADER_VALUE_OFFSET = 16;
export const HEADER_KEY_LENGTH_OFFSET = 24;
export const HEADER_PAYLOAD_LENGTH_OFFSET = 28;
export const ENVELOPE_HEADER_BYTES = 32;

/** What an envelope is; a u16 on the wire. 0 is never used (zeroed memory must not look valid). */
export const EnvelopeKind = {
  Publish: 1,
  Delivery: 2,
  Join: 3,
  Leave: 4,
  Presence: 5,
  Reply: 6,
  Control: 7,
} as const;
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

/**
 * Reserved kind: never an envelope. The ring writes it where a record would straddle the end of its
 * buffer, telling the reader to continue at offset 0.
 */
export const RESERVED_WRAP_KIND = 0xffff;

/** The fixed fields of an envelope; the two section lengths are taken from the key and payload. */
export interface EnvelopeHeader {
  readonly kind: EnvelopeKind;
  /** u16 bit set, meaning defined per kind. */
  readonly flags: number;
  /** u32: the edge's connection id (0 when not about one connection). */
  readonly connId: number;
  /** u32: the room's id inside this node (0 when not about one room). */
  readonly roomId: number;
  /** u32: pairs a Reply with its request (0 when no reply is expected). */
  readonly correlationId: number;
  /** f64: an offset or a timestamp, per kind. */
  readonly value: number;
}

const KINDS: ReadonlySet<number> = new Set(Object.values(EnvelopeKind));

/** True for a kind this build knows; the ring itself only refuses the reserved wrap kind. */
export function isEnvelopeKind(kind: number): kind is EnvelopeKind {
  return KINDS.has(kind);
}

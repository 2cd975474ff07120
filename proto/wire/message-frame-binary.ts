import { create, toBinary } from '@bufbuild/protobuf';
import { ServerFrameSchema } from '../index.js';
import type { MessageDelivery } from './server-frame.js';

// Tags (field number << 3 | wire type) of arqon.v1.ServerFrame.message and its RoomMessage fields.
const TAG_SERVER_FRAME_MESSAGE = (12 << 3) | 2;
const TAG_ROOM = (1 << 3) | 2;
const TAG_ID = (2 << 3) | 2;
const TAG_OFFSET = (3 << 3) | 0;
const TAG_TS = (4 << 3) | 0;
const TAG_FROM = (5 << 3) | 2;
const TAG_DATA = (6 << 3) | 2;
const TAG_HEADERS = (7 << 3) | 2;
const TAG_MAP_KEY = (1 << 3) | 2;
const TAG_MAP_VALUE = (2 << 3) | 2;

/**
 * The protobuf `ServerFrame{message}` written by hand into one exactly sized buffer: the data bytes
 * are copied once, straight into it (the generic writer copies chunks again when it joins them).
 * The bytes equal `toBinary` of the same message (field order, zero values left out, map entries in
 * key order); a test holds it to that. Offsets or timestamps outside 0..2^53-1 take the generic path.
 */
export function encodeMessageBinary(delivery: MessageDelivery): Uint8Array {
  const { room, id, offset, ts, from, data, headers } = delivery;
  if (!isVarintSafe(offset) || !isVarintSafe(ts)) return encodeGeneric(delivery);
  const keys = Object.keys(headers);
  let inner =
    stringFieldSize(room) +
    stringFieldSize(id) +
    (offset === 0 ? 0 : 1 + varintSize(offset)) +
    (ts === 0 ? 0 : 1 + varintSize(ts)) +
    stringFieldSize(from) +
    (data.length === 0 ? 0 : 1 + varintSize(data.length) + data.length);
  const entrySizes: number[] = [];
  for (const key of keys) {
    const entry = mapStringSize(key) + mapStringSize(headers[key] as string);
    entrySizes.push(entry);
    inner += 1 + varintSize(entry) + entry;
  }
  const out = new Uint8Array(1 + varintSize(inner) + inner);
  let p = 0;
  out[p++] = TAG_SERVER_FRAME_MESSAGE;
  p = writeVarint(out, p, inner);
  p = writeStringField(out, p, TAG_ROOM, room);
  p = writeStringField(out, p, TAG_ID, id);
  if (offset !== 0) {
    out[p++] = TAG_OFFSET;
    p = writeVarint(out, p, offset);
  }
  if (ts !== 0) {
    out[p++] = TAG_TS;
    p = writeVarint(out, p, ts);
  }
  p = writeStringField(out, p, TAG_FROM, from);
  if (data.length > 0) {
    out[p++] = TAG_DATA;
    p = writeVarint(out, p, data.length);
    out.set(data, p);
    p += data.length;
  }
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out[p++] = TAG_HEADERS;
    p = writeVarint(out, p, entrySizes[i] as number);
    p = writeMapString(out, p, TAG_MAP_KEY, key);
    p = writeMapString(out, p, TAG_MAP_VALUE, headers[key] as string);
  }
  return out;
}

function encodeGeneric(d: MessageDelivery): Uint8Array {
  const frame = create(ServerFrameSchema, {
    op: {
      case: 'message',
      value: {
        room: d.room,
        id: d.id,
        offset: BigInt.asUintN(64, toBigInt(d.offset)),
        ts: BigInt.asIntN(64, toBigInt(d.ts)),
        from: d.from,
        data: d.data,
        headers: d.headers,
      },
    },
  });
  return toBinary(ServerFrameSchema, frame);
}

/** NaN and infinities (never valid here) become 0 rather than throwing. */
function toBigInt(n: number): bigint {
  return Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n;
}

function isVarintSafe(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Numbers up to 2^53: division, not bit operators, which stop at 32 bits. */
function writeVarint(out: Uint8Array, p: number, n: number): number {
  while (n >= 128) {
    out[p++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  out[p++] = n;
  return p;
}

/** proto3 leaves an empty string out; a map entry always writes its key and value. */
function stringFieldSize(s: string): number {
  return s === '' ? 0 : mapStringSize(s);
}

function mapStringSize(s: string): number {
  const n = utf8Length(s);
  return 1 + varintSize(n) + n;
}

function writeStringField(out: Uint8Array, p: number, tag: number, s: string): number {
  return s === '' ? p : writeMapString(out, p, tag, s);
}

function writeMapString(out: Uint8Array, p: number, tag: number, s: string): number {
  out[p++] = tag;
  p = writeVarint(out, p, utf8Length(s));
  return writeUtf8(out, p, s);
}

/** UTF-8 length as TextEncoder counts it: a lone surrogate becomes U+FFFD (3 bytes). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function writeUtf8(out: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[p++] = 0xf0 | (c >> 18);
      out[p++] = 0x80 | ((c >> 12) & 0x3f);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

import type { DataFormat } from '../../proto/wire/index.js';
import { ConnectionError } from './connection-error.js';

/**
 * The bytes of a publish as they cross the rings: the room stores and forwards them unparsed, and
 * the edge reads them back once per delivery to encode the `message` frame.
 *
 *   0        1            3          3+f          7+f             7+f+h
 *   | format | fromLen u16 | from (f B) | headersLen u32 | headers JSON (h B) | data ... |
 *
 * format: 0 = data is the JSON text of the client's value, 1 = raw bytes (from protobuf).
 */
const FORMAT_OFFSET = 0;
const FROM_LENGTH_OFFSET = 1;
const FROM_OFFSET = 3;
const HEADERS_LENGTH_BYTES = 4;
const FORMAT_JSON = 0;
const FORMAT_RAW = 1;
const MAX_FROM_BYTES = 0xffff;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

export interface PublishPayload {
  readonly from: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly dataFormat: DataFormat;
  /** A view into the given bytes. */
  readonly data: Uint8Array;
}

/**
 * The sender's `sub` as a publish payload carries it: encoded once per connection, not per publish.
 * Throws ARQ_ERR_PUBLISH_PAYLOAD past 65535 bytes (the field's u16 length).
 */
export function encodeSender(from: string): Uint8Array {
  const fromBytes = encoder.encode(from);
  if (fromBytes.length > MAX_FROM_BYTES)
    throw new ConnectionError('ARQ_ERR_PUBLISH_PAYLOAD', 'sender id too long');
  return fromBytes;
}

/**
 * One allocation per publish: the lengths are written byte by byte rather than through a DataView,
 * because `.buffer` of a small fresh Uint8Array makes V8 materialise an ArrayBuffer for it (and each
 * young ArrayBuffer costs the next scavenge a sweep).
 */
export function encodePublishPayload(
  fromBytes: Uint8Array,
  headers: Readonly<Record<string, string>>,
  dataFormat: DataFormat,
  data: Uint8Array,
): Uint8Array {
  if (fromBytes.length > MAX_FROM_BYTES)
    throw new ConnectionError('ARQ_ERR_PUBLISH_PAYLOAD', 'sender id too long');
  const headerBytes = hasKeys(headers) ? encoder.encode(JSON.stringify(headers)) : null;
  const headersLength = headerBytes?.length ?? 0;
  const headersAt = FROM_OFFSET + fromBytes.length;
  const dataAt = headersAt + HEADERS_LENGTH_BYTES + headersLength;
  const out = new Uint8Array(dataAt + data.length);
  out[FORMAT_OFFSET] = dataFormat === 'json' ? FORMAT_JSON : FORMAT_RAW;
  out[FROM_LENGTH_OFFSET] = fromBytes.length & 0xff;
  out[FROM_LENGTH_OFFSET + 1] = fromBytes.length >>> 8;
  out.set(fromBytes, FROM_OFFSET);
  out[headersAt] = headersLength & 0xff;
  out[headersAt + 1] = (headersLength >>> 8) & 0xff;
  out[headersAt + 2] = (headersLength >>> 16) & 0xff;
  out[headersAt + 3] = headersLength >>> 24;
  if (headerBytes !== null) out.set(headerBytes, headersAt + HEADERS_LENGTH_BYTES);
  out.set(data, dataAt);
  return out;
}

function hasKeys(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return true;
  return false;
}

export function decodePublishPayload(bytes: Uint8Array): PublishPayload {
  if (bytes.length < FROM_OFFSET + HEADERS_LENGTH_BYTES) {
    throw new ConnectionError('ARQ_ERR_PUBLISH_PAYLOAD', 'publish payload shorter than its header');
  }
  const fromLength = bytes[FROM_LENGTH_OFFSET]! | (bytes[FROM_LENGTH_OFFSET + 1]! << 8);
  const headersAt = FROM_OFFSET + fromLength;
  if (headersAt + HEADERS_LENGTH_BYTES > bytes.length)
    throw new ConnectionError('ARQ_ERR_PUBLISH_PAYLOAD', 'publish payload truncated');
  const headersLength =
    (bytes[headersAt]! |
      (bytes[headersAt + 1]! << 8) |
      (bytes[headersAt + 2]! << 16) |
      (bytes[headersAt + 3]! << 24)) >>>
    0;
  const dataAt = headersAt + HEADERS_LENGTH_BYTES + headersLength;
  if (dataAt > bytes.length)
    throw new ConnectionError('ARQ_ERR_PUBLISH_PAYLOAD', 'publish payload truncated');
  return {
    from: decoder.decode(bytes.subarray(FROM_OFFSET, headersAt)),
    headers:
      headersLength === 0
        ? NO_HEADERS
        : (JSON.parse(
            decoder.decode(bytes.subarray(headersAt + HEADERS_LENGTH_BYTES, dataAt)),
          ) as Record<string, string>),
    dataFormat: bytes[FORMAT_OFFSET] === FORMAT_JSON ? 'json' : 'raw',
    data: bytes.subarray(dataAt),
  };
}

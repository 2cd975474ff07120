import type { DataFormat } from '../../src/protocol/index.js';
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

export function encodePublishPayload(
  from: string,
  headers: Readonly<Record<string, string>>,
  dataFormat: DataFormat,
  data: Uint8Array,
): Uint8Array {
  const fromBytes = encoder.encode(from);
  if (fromBytes.length > MAX_FROM_BYTES)
    throw new ConnectionError('ARQ_ERR_PUBLISH_PAYLOAD', 'sender id too long');
  const headerBytes =
    Object.keys(headers).length === 0 ? null : encoder.encode(JSON.stringify(headers));
  const headersLength = headerBytes?.length ?? 0;
  const headersAt = FROM_OFFSET + fromBytes.length;
  const dataAt = headersAt + HEADERS_LENGTH_BYTES + headersLength;
  const out = new Uint8Array(dataAt + data.length);
  const view = new DataView(out.buffer);
  out[FORMAT_OFFSET] = dataFormat === 'json' ? FORMAT_JSON : FORMAT_RAW;
  view.setUint16(FROM_LENGTH_OFFSET, fromBytes.length, true);
  out.set(fromBytes, FROM_OFFSET);
  view.setUint32(headersAt, headersLength, true);
  if (headerBytes !== null) out.set(headerBytes, headersAt + HEADERS_LENGTH_BYTES);
  out.set(data, dataAt);
  return out;
}

export function decodePublishPayload(bytes: Uint8Array): PublishPayload {
  if (bytes.length < FROM_OFFSET + HEADERS_LENGTH_BYTES) {
    throw new ConnectionError('ARQ_ERR_PUBLISH_PAYLOAD', 'publish payload shorter than its header');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fromLength = view.getUint16(FROM_LENGTH_OFFSET, true);
  const headersAt = FROM_OFFSET + fromLength;
  const headersLength = view.getUint32(headersAt, true);
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

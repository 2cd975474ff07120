import { DATA_ENCODING_HEADER } from './frame-limits.js';
import { base64JsonString, payloadJsonText } from './payload-json.js';
import type { MessageDelivery } from './server-frame.js';

/**
 * The JSON `message` frame, built by concatenation around the data's own JSON text: the payload is
 * never parsed (when known JSON) nor stringified. Equal to JSON.stringify of the frame object in
 * field order `op, room, id, offset, ts, from, data, headers`, but for the spacing inside `data`.
 */
export function encodeMessageText(delivery: MessageDelivery): string {
  let data = payloadJsonText(delivery.data, delivery.dataFormat);
  let headers = delivery.headers;
  if (data === undefined) {
    data = base64JsonString(delivery.data);
    headers = { ...headers, [DATA_ENCODING_HEADER]: 'base64' };
  }
  return (
    '{"op":"message","room":' +
    JSON.stringify(delivery.room) +
    ',"id":' +
    JSON.stringify(delivery.id) +
    ',"offset":' +
    jsonNumber(delivery.offset) +
    ',"ts":' +
    jsonNumber(delivery.ts) +
    ',"from":' +
    JSON.stringify(delivery.from) +
    ',"data":' +
    data +
    ',"headers":' +
    JSON.stringify(headers) +
    '}'
  );
}

/** As JSON.stringify writes a number (NaN and infinities become null), without its call. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

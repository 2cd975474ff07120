import { base64Encode } from '@bufbuild/protobuf/wire';
import type { DataFormat } from './client-frame.js';

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The JSON text that stands for publish `data` in a JSON frame, following the rule of
 * `client-frame.ts`: `'json'` bytes as they are; `'raw'` bytes as they are when they are UTF-8 JSON
 * text (checked here, the one parse this costs per delivery), else undefined (the caller then sends
 * base64, see `base64JsonString`).
 */
export function payloadJsonText(data: Uint8Array, format: DataFormat): string | undefined {
  if (format === 'json') return utf8.decode(data);
  let text: string;
  try {
    text = utf8Strict.decode(data);
    JSON.parse(text);
  } catch {
    return undefined;
  }
  return text;
}

/** A JSON string literal of the bytes' base64 (its alphabet needs no escaping). */
export function base64JsonString(data: Uint8Array): string {
  return `"${base64Encode(data)}"`;
}

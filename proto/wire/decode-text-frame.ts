import type { ClientFrame } from './client-frame.js';
import { type DecodeResult, decodeFailure } from './decode-result.js';
import {
  badFrame,
  describe,
  isWellFormed,
  readBefore,
  readEcho,
  readHeaders,
  readHistoryLimit,
  readMeta,
  readRef,
  readRoom,
  readSince,
  readToken,
} from './frame-fields.js';
import { findMemberSpan } from './json-span.js';
import { INTERNAL_ERROR_MESSAGE } from './to-wire-error.js';
import { encodeUtf8 } from './utf8.js';
import { WireError } from './wire-error.js';

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a text frame given as the raw bytes of the WebSocket message (what uWS hands over).
 * Invalid UTF-8 is `bad_frame`.
 */
export function decodeTextFrameBytes(bytes: Uint8Array): DecodeResult {
  let text: string;
  try {
    text = utf8Strict.decode(bytes);
  } catch (err) {
    return decodeFailure('bad_frame', 'text frame is not valid UTF-8', undefined, err);
  }
  return decodeText(text, bytes);
}

/** Decodes a JSON text frame. Never throws: every problem is a wire error (see `DecodeResult`). */
export function decodeTextFrame(text: string): DecodeResult {
  return decodeText(text, undefined);
}

/** `source`: the bytes `text` was decoded from, if any (lets publish data be cut from them). */
function decodeText(text: string, source: Uint8Array | undefined): DecodeResult {
  let ref: string | undefined;
  try {
    if (!isWellFormed(text))
      return decodeFailure('bad_frame', 'text frame has a lone surrogate (not valid Unicode)', ref);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return decodeFailure('bad_frame', 'text frame is not valid JSON', ref, err);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return decodeFailure(
        'bad_frame',
        `a text frame must be a JSON object, got ${describe(parsed)}`,
        ref,
      );
    const obj = parsed as Record<string, unknown>;
    ref = readRef(obj.ref);
    const frame = readFrame(obj, text, source, ref);
    return typeof frame === 'string'
      ? decodeFailure('unknown_op', `unknown op ${JSON.stringify(clip(frame))}`, ref)
      : { ok: true, frame };
  } catch (err) {
    if (err instanceof WireError)
      return { ok: false, ...(ref === undefined ? {} : { ref }), error: err };
    // A bug here must not take the connection down; the client gets no internals.
    return decodeFailure('internal', INTERNAL_ERROR_MESSAGE, ref, err);
  }
}

/** The frame, or the op string when it is not one of ours. Throws WireError on bad fields. */
function readFrame(
  obj: Record<string, unknown>,
  text: string,
  source: Uint8Array | undefined,
  ref: string | undefined,
): ClientFrame | string {
  const op = obj.op;
  if (typeof op !== 'string') throw badFrame(`"op" must be a string, got ${describe(op)}`);
  const withRef = ref === undefined ? {} : { ref };
  switch (op) {
    case 'join': {
      const room = readRoom(op, obj.room);
      const meta = readMeta(obj.meta);
      const since = readSince(obj.since);
      return {
        op,
        ...withRef,
        room,
        ...(meta === undefined ? {} : { meta }),
        ...(since === undefined ? {} : { since }),
      };
    }
    case 'leave':
      return { op, ...withRef, room: readRoom(op, obj.room) };
    case 'publish': {
      const room = readRoom(op, obj.room);
      const headers = readHeaders(obj.headers);
      const echo = readEcho(obj.echo);
      if (!Object.hasOwn(obj, 'data')) throw badFrame('publish: "data" is required');
      // The client's own text of `data`, cut out of the frame: never re-stringified.
      const span = findMemberSpan(text, 'data');
      if (span === undefined) throw badFrame('publish: "data" is required');
      const data = dataBytes(text, source, span.start, span.end);
      return { op, ...withRef, room, data, dataFormat: 'json', headers, echo };
    }
    case 'history': {
      const room = readRoom(op, obj.room);
      const since = readSince(obj.since, op);
      const before = readBefore(obj.before);
      const limit = readHistoryLimit(obj.limit);
      if (since !== undefined && before !== undefined)
        throw badFrame('history: "since" and "before" cannot be given together');
      return {
        op,
        ...withRef,
        room,
        ...(since === undefined ? {} : { since }),
        ...(before === undefined ? {} : { before }),
        limit,
      };
    }
    case 'ping':
      return { op, ...withRef };
    case 'refresh':
      return { op, ...withRef, token: readToken(obj.token) };
    default:
      return op;
  }
}

/**
 * The UTF-8 bytes of `text[start, end)`. When the frame is pure ASCII (as many bytes as characters)
 * character offsets are byte offsets, so the bytes are copied straight from the source; the copy
 * also frees them from the source buffer, which uWS reuses after the message handler returns.
 */
function dataBytes(
  text: string,
  source: Uint8Array | undefined,
  start: number,
  end: number,
): Uint8Array {
  if (source !== undefined && source.length === text.length) return source.slice(start, end);
  return encodeUtf8(text.slice(start, end));
}

/** An unknown op is echoed in the error, but not at any length. */
function clip(op: string): string {
  return op.length > MAX_ECHOED_OP ? `${op.slice(0, MAX_ECHOED_OP)}...` : op;
}

const MAX_ECHOED_OP = 32;

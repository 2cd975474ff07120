import { ArqonClientError, isWireErrorCode } from './errors.js';
import type { Presences, RoomMessage, ServerFrame, WireErrorBody } from './server-frame.js';

type JsonRecord = Readonly<Record<string, unknown>>;

function bad(message: string): ArqonClientError {
  return new ArqonClientError('ARQ_CLIENT_BAD_FRAME', message);
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(frame: JsonRecord, field: string): string {
  const value = frame[field];
  if (typeof value !== 'string') throw bad(`${String(frame.op)}: "${field}" must be a string`);
  return value;
}

function num(frame: JsonRecord, field: string): number {
  const value = frame[field];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw bad(`${String(frame.op)}: "${field}" must be a number`);
  return value;
}

function record(frame: JsonRecord, field: string): JsonRecord {
  const value = frame[field];
  if (!isRecord(value)) throw bad(`${String(frame.op)}: "${field}" must be an object`);
  return value;
}

/** An error code this client does not know (a newer server) still rejects, as `internal`. */
function wireError(frame: JsonRecord): WireErrorBody {
  const error = record(frame, 'error');
  const message = typeof error.message === 'string' ? error.message : '';
  if (isWireErrorCode(error.code)) return { code: error.code, message };
  return { code: 'internal', message: `${String(error.code)}: ${message}` };
}

function headers(frame: JsonRecord): Readonly<Record<string, string>> {
  const value = frame.headers;
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw bad('message: "headers" must be an object');
  for (const key of Object.keys(value)) {
    if (typeof value[key] !== 'string') throw bad('message: header values must be strings');
  }
  return value as Readonly<Record<string, string>>;
}

/** An absent `joins`/`leaves` is taken as empty. */
function presences(frame: JsonRecord, field: string): Presences {
  if (frame[field] === undefined) return {};
  const value = record(frame, field);
  for (const sub of Object.keys(value)) {
    const entry = value[sub];
    if (!isRecord(entry) || !Array.isArray(entry.metas))
      throw bad(`${String(frame.op)}: "${field}.${sub}" must be {"metas":[...]}`);
    for (const meta of entry.metas as unknown[]) {
      if (!isRecord(meta) || typeof meta.conn !== 'string')
        throw bad(`${String(frame.op)}: every meta of "${field}.${sub}" needs a string "conn"`);
    }
  }
  return value as Presences;
}

/**
 * Reads one JSON text frame from the server. Returns null for an `op` this client does not know
 * (a newer server may add some); throws `ARQ_CLIENT_BAD_FRAME` for anything malformed.
 */
/** A `message` frame's fields (live, or one of a `history` reply's messages). */
export function roomMessageOf(frame: unknown): RoomMessage {
  if (!isRecord(frame)) throw bad('a message must be an object');
  return {
    room: str(frame, 'room'),
    id: str(frame, 'id'),
    offset: num(frame, 'offset'),
    ts: num(frame, 'ts'),
    from: str(frame, 'from'),
    data: frame.data,
    headers: headers(frame),
  };
}

export function parseServerFrame(text: string): ServerFrame | null {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch (err) {
    throw new ArqonClientError('ARQ_CLIENT_BAD_FRAME', 'the server sent invalid JSON', {
      cause: err,
    });
  }
  if (!isRecord(frame)) throw bad('a server frame must be a JSON object');
  switch (frame.op) {
    case 'welcome':
      return {
        op: 'welcome',
        welcome: {
          node: str(frame, 'node'),
          conn: str(frame, 'conn'),
          tenant: str(frame, 'tenant'),
          sub: str(frame, 'sub'),
          heartbeatMs: num(frame, 'heartbeat_ms'),
        },
      };
    case 'reply': {
      const ref = str(frame, 'ref');
      if (frame.status === 'ok') {
        const body = frame.body ?? {};
        if (!isRecord(body)) throw bad('reply: "body" must be an object');
        return { op: 'reply', ref, status: 'ok', body };
      }
      if (frame.status === 'error')
        return { op: 'reply', ref, status: 'error', error: wireError(frame) };
      throw bad('reply: "status" must be "ok" or "error"');
    }
    case 'message':
      return { op: 'message', message: roomMessageOf(frame) };
    case 'presence_state':
      return {
        op: 'presence_state',
        room: str(frame, 'room'),
        presences: presences(frame, 'presences'),
      };
    case 'presence_diff':
      return {
        op: 'presence_diff',
        room: str(frame, 'room'),
        joins: presences(frame, 'joins'),
        leaves: presences(frame, 'leaves'),
      };
    case 'error':
      return { op: 'error', error: wireError(frame) };
    default:
      if (typeof frame.op !== 'string') throw bad('a server frame needs a string "op"');
      return null;
  }
}

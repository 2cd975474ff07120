/**
 * Binary (protobuf) server frames turned into the shape of their JSON twins, so a test can match
 * both encodings with the same patterns. `data` of a message stays bytes (a Buffer): protobuf
 * carries bytes, and the test decides how to read them.
 */
import { fromBinary, type JsonObject } from '@bufbuild/protobuf';
import { type PresenceMetas, ServerFrameSchema } from '../../proto/index.js';
import { type ClientFrame, encodeClientBinaryFrame } from '../../proto/wire/index.js';

export interface Frame {
  readonly op: string;
  readonly [key: string]: unknown;
}

type WirePresences = Record<string, { metas: JsonObject[] }>;

function presences(map: Record<string, PresenceMetas>): WirePresences {
  const out: WirePresences = {};
  for (const [sub, entry] of Object.entries(map)) out[sub] = { metas: entry.metas };
  return out;
}

/** Decodes a binary server frame; throws if the bytes are not an `arqon.v1.ServerFrame`. */
export function decodeServerBinary(bytes: Uint8Array): Frame {
  const frame = fromBinary(ServerFrameSchema, bytes);
  const op = frame.op;
  switch (op.case) {
    case 'welcome':
      return {
        op: 'welcome',
        node: op.value.node,
        conn: op.value.conn,
        tenant: op.value.tenant,
        sub: op.value.sub,
        heartbeat_ms: op.value.heartbeatMs,
      };
    case 'reply':
      return op.value.status === 'ok'
        ? { op: 'reply', ref: op.value.ref, status: 'ok', body: op.value.body ?? {} }
        : {
            op: 'reply',
            ref: op.value.ref,
            status: op.value.status,
            error: { code: op.value.error?.code, message: op.value.error?.message },
          };
    case 'message':
      return {
        op: 'message',
        room: op.value.room,
        id: op.value.id,
        offset: Number(op.value.offset),
        ts: Number(op.value.ts),
        from: op.value.from,
        data: Buffer.from(op.value.data),
        headers: op.value.headers,
      };
    case 'presenceState':
      return {
        op: 'presence_state',
        room: op.value.room,
        presences: presences(op.value.presences),
      };
    case 'presenceDiff':
      return {
        op: 'presence_diff',
        room: op.value.room,
        joins: presences(op.value.joins),
        leaves: presences(op.value.leaves),
      };
    case 'error':
      return {
        op: 'error',
        error: { code: op.value.error?.code, message: op.value.error?.message },
      };
    default:
      throw new TypeError('binary server frame without an op');
  }
}

/** A client frame as protobuf bytes (the codec's own encoder, as a protobuf client would send). */
export function clientBinary(frame: ClientFrame): Uint8Array {
  return encodeClientBinaryFrame(frame);
}

/** Publish data as the UTF-8 bytes of `value`'s JSON text (what a protobuf client sends). */
export function jsonBytes(value: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(value)));
}

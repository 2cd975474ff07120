import { create, type JsonObject, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { ServerFrameSchema } from '../index.js';
import { encodeMessageBinary } from './message-frame-binary.js';
import { encodeMessageText } from './message-frame-json.js';
import type { Presences, ServerFrame } from './server-frame.js';
import type { WireErrorBody } from './wire-error.js';

/**
 * A server frame as JSON text (docs/protocol.md, "Frames"). `message` frames take the fast path of
 * `encodeMessageFrame`; for fan-out use `EncodedMessage` so one delivery is encoded once.
 */
export function encodeTextFrame(frame: ServerFrame): string {
  switch (frame.op) {
    case 'message':
      return encodeMessageText(frame);
    case 'welcome':
      return JSON.stringify({
        op: 'welcome',
        node: frame.node,
        conn: frame.conn,
        tenant: frame.tenant,
        sub: frame.sub,
        heartbeat_ms: frame.heartbeatMs,
      });
    case 'reply':
      return frame.status === 'ok'
        ? JSON.stringify({ op: 'reply', ref: frame.ref, status: 'ok', body: frame.body })
        : JSON.stringify({
            op: 'reply',
            ref: frame.ref,
            status: 'error',
            error: errorBody(frame.error),
          });
    case 'presence_state':
      return JSON.stringify({ op: 'presence_state', room: frame.room, presences: frame.presences });
    case 'presence_diff':
      return JSON.stringify({
        op: 'presence_diff',
        room: frame.room,
        joins: frame.joins,
        leaves: frame.leaves,
      });
    case 'error':
      return JSON.stringify({ op: 'error', error: errorBody(frame.error) });
  }
}

/** A server frame as a protobuf `arqon.v1.ServerFrame`. */
export function encodeBinaryFrame(frame: ServerFrame): Uint8Array {
  switch (frame.op) {
    case 'message':
      return encodeMessageBinary(frame);
    case 'welcome':
      return pb({
        case: 'welcome',
        value: {
          node: frame.node,
          conn: frame.conn,
          tenant: frame.tenant,
          sub: frame.sub,
          heartbeatMs: frame.heartbeatMs,
        },
      });
    case 'reply':
      return pb({
        case: 'reply',
        value:
          frame.status === 'ok'
            ? { ref: frame.ref, status: 'ok', body: frame.body }
            : { ref: frame.ref, status: 'error', error: errorBody(frame.error) },
      });
    case 'presence_state':
      return pb({
        case: 'presenceState',
        value: { room: frame.room, presences: presencesInit(frame.presences) },
      });
    case 'presence_diff':
      return pb({
        case: 'presenceDiff',
        value: {
          room: frame.room,
          joins: presencesInit(frame.joins),
          leaves: presencesInit(frame.leaves),
        },
      });
    case 'error':
      return pb({ case: 'error', value: { error: errorBody(frame.error) } });
  }
}

type ServerOpInit = NonNullable<MessageInitShape<typeof ServerFrameSchema>['op']>;

function pb(op: ServerOpInit): Uint8Array {
  return toBinary(ServerFrameSchema, create(ServerFrameSchema, { op }));
}

/** Only code and message: a WireError's other own properties (cause, stack) stay here. */
function errorBody(error: WireErrorBody): WireErrorBody {
  return { code: error.code, message: error.message };
}

function presencesInit(presences: Presences): Record<string, { metas: JsonObject[] }> {
  // No prototype: a `sub` of "__proto__" must stay a key.
  const out: Record<string, { metas: JsonObject[] }> = Object.create(null);
  for (const sub of Object.keys(presences)) {
    out[sub] = { metas: [...(presences[sub]?.metas ?? [])] };
  }
  return out;
}

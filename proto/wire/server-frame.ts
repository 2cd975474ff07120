import type { JsonObject } from '@bufbuild/protobuf';
import type { DataFormat } from './client-frame.js';
import type { WireErrorBody } from './wire-error.js';

/** The encodings of a connection: JSON text frames or protobuf binary frames. */
export type FrameEncoding = 'json' | 'binary';

export interface WelcomeFrame {
  readonly op: 'welcome';
  readonly node: string;
  readonly conn: string;
  readonly tenant: string;
  readonly sub: string;
  /** `heartbeat_ms` on the wire. */
  readonly heartbeatMs: number;
}

export interface ReplyOkFrame {
  readonly op: 'reply';
  readonly ref: string;
  readonly status: 'ok';
  readonly body: JsonObject;
}

export interface ReplyErrorFrame {
  readonly op: 'reply';
  readonly ref: string;
  readonly status: 'error';
  readonly error: WireErrorBody;
}

export type ReplyFrame = ReplyOkFrame | ReplyErrorFrame;

/**
 * One delivery of a room message: what the room emits once per node and the edge encodes once per
 * encoding (see `EncodedMessage`). `data` and `dataFormat` follow the rule in `client-frame.ts`.
 */
export interface MessageDelivery {
  readonly room: string;
  readonly id: string;
  /** Position in the room's stream; a non-negative safe integer. */
  readonly offset: number;
  /** Milliseconds since the Unix epoch. */
  readonly ts: number;
  /** The sender's `sub`. */
  readonly from: string;
  readonly data: Uint8Array;
  readonly dataFormat: DataFormat;
  readonly headers: Readonly<Record<string, string>>;
}

export interface MessageFrame extends MessageDelivery {
  readonly op: 'message';
}

/** Each meta is `{"conn":..,"node":..,"online_at":..,...user meta}`. */
export interface PresenceEntry {
  readonly metas: readonly JsonObject[];
}

/** Keyed by `sub`. */
export type Presences = Readonly<Record<string, PresenceEntry>>;

export interface PresenceStateFrame {
  readonly op: 'presence_state';
  readonly room: string;
  readonly presences: Presences;
}

export interface PresenceDiffFrame {
  readonly op: 'presence_diff';
  readonly room: string;
  readonly joins: Presences;
  readonly leaves: Presences;
}

/** An error not tied to a `ref`. */
export interface ServerErrorFrame {
  readonly op: 'error';
  readonly error: WireErrorBody;
}

export type ServerFrame =
  | WelcomeFrame
  | ReplyFrame
  | MessageFrame
  | PresenceStateFrame
  | PresenceDiffFrame
  | ServerErrorFrame;

export type ServerOp = ServerFrame['op'];

/** A key per op: the compiler rejects a missing or an extra one. */
const SERVER_OP_KEYS: Readonly<Record<ServerOp, true>> = {
  welcome: true,
  reply: true,
  message: true,
  presence_state: true,
  presence_diff: true,
  error: true,
};

/** Every op the server sends, as a runtime value (docs/protocol.md is checked against it). */
export const SERVER_OPS: readonly ServerOp[] = Object.freeze(
  Object.keys(SERVER_OP_KEYS) as ServerOp[],
);

export function replyOk(ref: string, body: JsonObject): ReplyOkFrame {
  return { op: 'reply', ref, status: 'ok', body };
}

/**
 * The answer to a failed frame: a `reply` when it had a `ref`, else an `error` frame. Only the code
 * and message are kept (a WireError's cause stays on this side).
 */
export function errorAnswer(
  ref: string | undefined,
  error: WireErrorBody,
): ReplyErrorFrame | ServerErrorFrame {
  const body: WireErrorBody = { code: error.code, message: error.message };
  return ref === undefined
    ? { op: 'error', error: body }
    : { op: 'reply', ref, status: 'error', error: body };
}

import type { JsonObject } from '@bufbuild/protobuf';

/**
 * How publish `data` is carried, so that JSON and protobuf clients interoperate:
 *
 * - Inside the server, `data` is always bytes. From a JSON frame they are the UTF-8 bytes of the
 *   client's own JSON text of `data`, cut out of the frame unchanged (no re-stringify: big integers
 *   and number spellings survive) and marked `dataFormat: 'json'`. From a protobuf frame they are the
 *   `data` bytes as sent, marked `'raw'` (opaque: they may or may not be JSON text).
 * - A binary (protobuf) receiver always gets those bytes. So a JSON publish of `{"a":1}` reaches a
 *   protobuf client as the bytes of `{"a":1}`, and a protobuf client that wants JSON receivers to see
 *   a value sends the UTF-8 JSON text of that value.
 * - A JSON receiver gets `data` as JSON: the bytes spliced in as they are when marked `'json'`, or
 *   when `'raw'` bytes turn out to be UTF-8 JSON text (checked once per delivery, not per socket).
 *   Other raw bytes arrive as a JSON string of their base64, with header
 *   `x-arq-data-encoding: base64` (`DATA_ENCODING_HEADER`) added. Clients may not send `x-arq-*`
 *   headers, so the marker cannot be forged.
 *
 * Other rules of the decoders: `ref` is 1..128 characters (in protobuf, "" means absent); an
 * optional JSON field given as `null` counts as absent; unknown JSON fields are ignored (newer
 * clients), unknown protobuf fields too, except an unknown `op` field, which is `unknown_op`.
 */
export type DataFormat = 'json' | 'raw';

/**
 * A resume point in a room's stream: `{"epoch":..,"offset":..}` from an earlier join reply, or
 * `{"ts":<ms>}`: every kept message stored at or after that time ("time travel").
 */
export type ResumePoint =
  | { readonly epoch: string; readonly offset: number }
  | { readonly ts: number };

export interface JoinFrame {
  readonly op: 'join';
  readonly ref?: string;
  readonly room: string;
  readonly meta?: JsonObject;
  readonly since?: ResumePoint;
}

export interface LeaveFrame {
  readonly op: 'leave';
  readonly ref?: string;
  readonly room: string;
}

export interface PublishFrame {
  readonly op: 'publish';
  readonly ref?: string;
  readonly room: string;
  /** See `DataFormat` for what these bytes are. Never a view into the decoder's input. */
  readonly data: Uint8Array;
  readonly dataFormat: DataFormat;
  readonly headers: Readonly<Record<string, string>>;
  /** Deliver to the sender too; absent on the wire means true. */
  readonly echo: boolean;
}

/**
 * Reads a room's kept messages: after `since`, or the newest before offset `before`, or the newest
 * (neither; both is `bad_frame`). `limit` is 1..MAX_HISTORY_LIMIT (the decoder fills the default).
 * JSON frames only: the protobuf schema has no history op yet.
 */
export interface HistoryFrame {
  readonly op: 'history';
  readonly ref?: string;
  readonly room: string;
  readonly since?: ResumePoint;
  readonly before?: number;
  readonly limit: number;
}

export interface PingFrame {
  readonly op: 'ping';
  readonly ref?: string;
}

export interface RefreshFrame {
  readonly op: 'refresh';
  readonly ref?: string;
  readonly token: string;
}

/** A decoded client frame, the same whichever encoding it came in (but for `dataFormat`). */
export type ClientFrame =
  | JoinFrame
  | LeaveFrame
  | PublishFrame
  | HistoryFrame
  | PingFrame
  | RefreshFrame;

export type ClientOp = ClientFrame['op'];

export const CLIENT_OPS: readonly ClientOp[] = Object.freeze([
  'join',
  'leave',
  'publish',
  'history',
  'ping',
  'refresh',
]);

/** Ops that the protobuf schema has no field for yet: JSON frames only (docs/protocol.md). */
export const JSON_ONLY_OPS: readonly ClientOp[] = Object.freeze(['history']);

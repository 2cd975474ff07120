import type { WireErrorCode } from './errors.js';

/** The first frame of every connection. */
export interface Welcome {
  /** The id of the node that serves this connection. */
  readonly node: string;
  /** This connection's id, as `conn` in presence metas. */
  readonly conn: string;
  readonly tenant: string;
  readonly sub: string;
  /** `heartbeat_ms` on the wire: how often the client checks that the connection is alive. */
  readonly heartbeatMs: number;
}

/** A room message as delivered (PROTOCOL `message` frame). */
export interface RoomMessage {
  readonly room: string;
  readonly id: string;
  /** Position in the room's stream. */
  readonly offset: number;
  /** Server time in ms since the Unix epoch. */
  readonly ts: number;
  /** The sender's `sub`. */
  readonly from: string;
  readonly data: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** One connection in a room: the server's fields, then the meta it joined with. */
export interface PresenceMeta {
  readonly conn: string;
  readonly node: string;
  readonly online_at: number;
  readonly [key: string]: unknown;
}

/** Keyed by `sub`: `{ "<sub>": { "metas": [...] } }`. */
export type Presences = { readonly [sub: string]: { readonly metas: readonly PresenceMeta[] } };

export interface WireErrorBody {
  readonly code: WireErrorCode;
  readonly message: string;
}

/** A server frame as this client reads it; `reply` is split on its status. */
export type ServerFrame =
  | { readonly op: 'welcome'; readonly welcome: Welcome }
  | {
      readonly op: 'reply';
      readonly ref: string;
      readonly status: 'ok';
      readonly body: Readonly<Record<string, unknown>>;
    }
  | {
      readonly op: 'reply';
      readonly ref: string;
      readonly status: 'error';
      readonly error: WireErrorBody;
    }
  | { readonly op: 'message'; readonly message: RoomMessage }
  | { readonly op: 'presence_state'; readonly room: string; readonly presences: Presences }
  | {
      readonly op: 'presence_diff';
      readonly room: string;
      readonly joins: Presences;
      readonly leaves: Presences;
    }
  | { readonly op: 'error'; readonly error: WireErrorBody };

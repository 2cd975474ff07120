import type { HistoryEntry } from './room-history.js';

/**
 * A resume point from a client's `join` with `since`: after an offset of an epoch, or every kept
 * message stored at or after `ts` (ms since the Unix epoch).
 */
export type ResumeFrom =
  | { readonly epoch: string; readonly offset: number }
  | { readonly ts: number };

/**
 * What a `history` request asks of a room: the messages after `since` (an offset of an epoch, or
 * a time), or the newest ones before offset `before`, or the newest ones (neither); at most
 * `limit` of them (checked by the decoder: 1..MAX_HISTORY_LIMIT).
 */
export interface HistoryQuery {
  /** `{offset}` without an epoch: after that offset of the room's current epoch (HTTP readers). */
  readonly since: ResumeFrom | { readonly offset: number } | null;
  readonly before: number | null;
  readonly limit: number;
}

/**
 * A room's answer to `history`: its stream position, the page (oldest first) and whether more
 * lies beyond it in the direction read. `recovered: false` when the page cannot be told whole
 * (a `since` of another epoch, or messages asked for that are gone): then `entries` is empty.
 */
export interface HistoryAnswer {
  readonly epoch: string;
  readonly offset: number;
  readonly entries: readonly HistoryEntry[];
  readonly more: boolean;
  readonly recovered: boolean;
}

/** What a room actor handles; correlation ids (`corr`) pair replies with requests (0: no reply). */
export type RoomMessage =
  | {
      readonly type: 'join';
      readonly connId: number;
      readonly corr: number;
      readonly since: ResumeFrom | null;
      /** Re-join after the room or its shard restarted: no history replay, reply only. */
      readonly restore: boolean;
    }
  | { readonly type: 'leave'; readonly connId: number; readonly corr: number }
  /** Read the kept messages (no membership needed: the edge checked the right to join). */
  | { readonly type: 'history'; readonly corr: number; readonly query: HistoryQuery }
  | {
      readonly type: 'publish';
      readonly connId: number;
      readonly corr: number;
      readonly echo: boolean;
      /** When the publish entered the node (ms since the epoch, fractional). */
      readonly ingressTs: number;
      /** Opaque bytes built by the edge; the room stores and forwards them unparsed. */
      readonly payload: Uint8Array;
    }
  | { readonly type: 'idle-check' }
  /** A durable room's store answered a load (at start, or to catch up after a failed write). */
  | { readonly type: 'loaded'; readonly state: RoomState | null }
  | { readonly type: 'load-failed'; readonly reason: string }
  /** The oldest write in flight was stored, or was not. */
  | { readonly type: 'stored' }
  | { readonly type: 'store-failed'; readonly reason: string }
  /** Hand the room over (its owner node changed): answer its state, then stop. */
  | { readonly type: 'export'; readonly corr: number };

/**
 * What a room hands over when it moves to another node: its stream (epoch, last offset) and its
 * recent history, so that offsets continue and `since` still resumes on the new owner.
 */
export interface RoomState {
  readonly epoch: string;
  readonly offset: number;
  /** Oldest first; offsets contiguous and ending at `offset` (or empty). */
  readonly history: readonly HistoryEntry[];
}

/** One ordered message on its way to the members (and, later, other nodes). */
export interface RoomDelivery {
  readonly roomKey: string;
  readonly epoch: string;
  readonly offset: number;
  readonly ts: number;
  readonly ingressTs: number;
  readonly senderConn: number;
  readonly echo: boolean;
  readonly payload: Uint8Array;
}

import type { RoomHistoryOptions } from './room-history.js';
import type { RoomState } from './room-message.js';
import type { RoomOutput } from './room-output.js';
import type { RoomStore } from './room-store.js';

export const DEFAULT_ROOM_IDLE_MS = 30_000;
/**
 * Payload bytes one `history` answer carries at most (then `more: true`): it crosses the shard's
 * ring as one record and, in a cluster, NATS as one message (1 MiB by default), with up to
 * MAX_HISTORY_LIMIT entries' framing beside it.
 */
export const HISTORY_REPLY_MAX_BYTES = 768 * 1024;

export interface RoomActorOptions {
  readonly roomKey: string;
  readonly output: RoomOutput;
  /** An empty room stops after this long. */
  readonly idleMs?: number;
  readonly history?: RoomHistoryOptions;
  readonly now?: () => number;
  /** The state a room had on its previous owner node (a graceful move): the stream continues. */
  readonly initial?: RoomState;
  /**
   * A durable room's store: the room reads its epoch, offset and history back from it when it
   * starts, and answers and delivers a publish only once the store kept it.
   */
  readonly store?: RoomStore;
  /**
   * A durable room's stream drops messages older than this (ms; 0: no age limit): `history` does
   * not serve them from the window either, though the window may still hold them.
   */
  readonly maxAgeMs?: number;
  /** See HISTORY_REPLY_MAX_BYTES (a smaller ring needs less). */
  readonly historyReplyMaxBytes?: number;
}

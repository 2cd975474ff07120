import type { HistoryAnswer, RoomDelivery, RoomState } from './room-message.js';

/** Wire error codes a room answers with (docs/protocol.md, "Errors"). */
export type RoomReplyError = 'not_joined' | 'overloaded' | 'internal';

/**
 * Where a room's output goes. The shard implements it over its ring to the edge; the room never
 * sees sockets: it emits ONE delivery per publish and the edge fans it out (ARCHITECTURE.md, "The path of a message").
 */
export interface RoomOutput {
  reply(corr: number, body: unknown): void;
  replyError(corr: number, code: RoomReplyError, message: string): void;
  /** A live message for every member (minus the sender when `echo` is false). */
  deliver(delivery: RoomDelivery): void;
  /** A stored message for one connection only (replay after `join` with `since`). */
  deliverTo(connId: number, delivery: RoomDelivery): void;
  /** The answer to a `history` request (it carries payloads, so it is not a JSON `reply`). */
  history(corr: number, answer: HistoryAnswer): void;
  /** The room's state, answering an `export` (the room stops right after). */
  exported(corr: number, state: RoomState): void;
}

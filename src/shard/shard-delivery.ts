import type { PolicyReport } from '../policy/index.js';

/**
 * A room message coming back from a shard, handed to the edge synchronously. `body` is a view into
 * the ring, valid only during the callback: the edge encodes its frames from it at once.
 */
export interface ShardDelivery {
  readonly roomKey: string;
  readonly offset: number;
  readonly epoch: string;
  readonly ts: number;
  readonly ingressTs: number;
  /** The sender for a live delivery; the one recipient for a direct (replay) delivery. */
  readonly connId: number;
  readonly echo: boolean;
  /** Replay for one connection (join with `since`), not for the room's topic. */
  readonly direct: boolean;
  readonly body: Uint8Array;
}

export type ShardPoolEvent =
  | { readonly type: 'shard-started'; readonly shard: number; readonly restart: boolean }
  | { readonly type: 'shard-exited'; readonly shard: number; readonly reason: string }
  | {
      readonly type: 'room-down';
      readonly shard: number;
      readonly roomKey: string;
      readonly reason: string;
    }
  | { readonly type: 'pool-failed'; readonly reason: string }
  /** A policy denied or failed in a shard (on_publish): the node counts and logs it. */
  | { readonly type: 'policy-report'; readonly shard: number; readonly report: PolicyReport }
  | { readonly type: 'policy-log'; readonly shard: number; readonly line: string }
  /** A shard's durable-room storage said something an operator should see (src/storage). */
  | { readonly type: 'storage-log'; readonly shard: number; readonly line: string };

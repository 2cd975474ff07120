import type { HeartbeatPayload, MemberId } from '../wire/index.js';

/**
 * What Membership tells its listeners. `up`, `down`, `leaving` and `restarted` change the live set
 * (`members()`); `heartbeat` comes with every heartbeat of a live peer, after the `up` or
 * `restarted` it may have caused, so that modules riding on heartbeats read their payload part.
 *
 * - `up`: a peer joined the live set (first heard, or heard again after `down`).
 * - `down`: a peer was silent for `downAfterMs`; it leaves the live set.
 * - `leaving`: a peer said it is leaving (graceful stop); it leaves the live set at once.
 * - `restarted`: a heartbeat came from a newer incarnation of a known node: `previous` is gone
 *   (as if down, whether or not it was live), `member` is live. Only this one event is emitted.
 */
export type MembershipEvent =
  | { readonly type: 'up'; readonly member: MemberId }
  | { readonly type: 'down'; readonly member: MemberId; readonly silentMs: number }
  | { readonly type: 'leaving'; readonly member: MemberId }
  | { readonly type: 'restarted'; readonly previous: MemberId; readonly member: MemberId }
  | {
      readonly type: 'heartbeat';
      readonly member: MemberId;
      readonly payload: HeartbeatPayload;
    };

export type MembershipListener = (event: MembershipEvent) => void;

/**
 * `idle` (constructed), `joining` (heartbeating, not yet through a round), `ready` (joined: every
 * live peer had a heartbeat period to be heard), `disconnected` (NATS is down; silence is not held
 * against peers), `left` (after `leave()`), `closed` (after `close()`).
 */
export type MembershipState = 'idle' | 'joining' | 'ready' | 'disconnected' | 'left' | 'closed';

/** A peer as this node sees it; `lastSeenMs` is how long ago its last heartbeat came. */
export interface PeerInfo {
  readonly member: MemberId;
  readonly status: 'up' | 'down' | 'left';
  readonly lastSeenMs: number;
}

export interface MembershipStats {
  readonly heartbeatsSent: number;
  readonly heartbeatsReceived: number;
  /** Messages that did not parse. */
  readonly malformed: number;
  /** Heartbeats or leavings of an older incarnation, or of a departed one: ignored. */
  readonly stale: number;
  /** Heartbeats carrying this node's id with another incarnation. */
  readonly conflicts: number;
}

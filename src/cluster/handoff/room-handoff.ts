import type { NatsConnection } from '@nats-io/transport-node';
import type { RoomState } from '../../../actors/index.js';
import { asError, type ClusterLog } from '../base/index.js';
import type { ClusterRing, Membership } from '../membership/index.js';
import type { LocalRooms, RoomInterest, RoomOwner, RoomRouteCounters } from '../rooms/index.js';
import { HandoffInbox } from './handoff-inbox.js';
import { HandoffOutbox } from './handoff-outbox.js';
import { CLAIM_PAYLOAD_PART, claimPart, PeerClaims } from './room-claims.js';

export interface RoomHandoffOptions {
  readonly connection: NatsConnection;
  readonly membership: Membership;
  readonly local: LocalRooms;
  readonly owner: RoomOwner;
  readonly interest: RoomInterest;
  /** This node's current ring. */
  readonly ring: () => ClusterRing;
  /** True while this node's ring places the room here and it serves rooms. */
  readonly owns: (roomKey: string) => boolean;
  /** True once the node leaves: it claims nothing any more. */
  readonly leaving: () => boolean;
  readonly timeoutMs: number;
  /** How long a room just handed over here fans out every delivery (see RoomOwner.fanFor). */
  readonly fanMs: number;
  readonly log: ClusterLog;
  readonly counters: RoomRouteCounters;
}

/**
 * Graceful moves of rooms between live nodes, for ClusterRooms: the old owner's side
 * (HandoffOutbox), the new owner's side (HandoffInbox), and what ties them: the claim this node
 * announces on its heartbeats (the ring it served by until its hand-offs are out) and the claims
 * of its peers (PeerClaims). See ARCHITECTURE.md, "A room that moves between live nodes".
 */
export class RoomHandoff {
  readonly #o: RoomHandoffOptions;
  readonly #claims = new PeerClaims();
  readonly #inbox: HandoffInbox;
  readonly #outbox: HandoffOutbox;
  /** Rooms that moved here whose fan-out subscription goes once the room is served here. */
  readonly #unsubscribeWhenServed = new Set<string>();
  /** The ring whose rooms this node claims; null until it has joined (and once it leaves). */
  #claimRing: ClusterRing | null = null;
  #joined = false;
  #offClaim: (() => void) | null = null;

  constructor(options: RoomHandoffOptions) {
    this.#o = options;
    const o = options;
    const self = o.membership.self.node;
    this.#inbox = new HandoffInbox({
      connection: o.connection,
      self,
      ring: o.ring,
      joined: () => this.#joined,
      claims: this.#claims,
      timeoutMs: o.timeoutMs,
      importRoom: (roomKey, state) => this.#import(roomKey, state),
      onServing: (roomKey, imported) => this.#onServing(roomKey, imported),
      log: o.log,
      counters: o.counters,
    });
    this.#outbox = new HandoffOutbox({
      connection: o.connection,
      self,
      exportRoom: (roomKey, done) => o.local.exportRoom(roomKey, done),
      ownerOf: (roomKey) => (o.ring().size === 0 ? null : o.ring().ownerOf(roomKey)),
      onExported: (roomKey) => {
        // Its last deliveries have been fanned out: its remote members re-join the new owner.
        if (!o.owns(roomKey)) o.owner.dropRoom(roomKey);
      },
      keep: (roomKey, state) => this.#inbox.receive(roomKey, self, state),
      onIdle: () => this.#announceClaim(),
      timeoutMs: o.timeoutMs,
      log: o.log,
      counters: o.counters,
    });
  }

  /** Rooms waiting for their hand-off. */
  get held(): number {
    return this.#inbox.held;
  }

  /** Listens for hand-offs and announces claims; joined once the membership is ready. */
  start(): void {
    const membership = this.#o.membership;
    this.#offClaim = membership.setPayload(CLAIM_PAYLOAD_PART, () => claimPart(this.#claimRing));
    this.#inbox.start();
    // Until it has heard every peer, this node cannot know who still claims a room it owns.
    membership.whenReady().then(
      () => {
        if (this.#offClaim === null) return; // closed meanwhile
        this.#joined = true;
        this.#announceClaim();
        this.#inbox.reconsider();
      },
      () => {},
    );
  }

  close(): void {
    this.#offClaim?.();
    this.#offClaim = null;
    this.#inbox.close();
    this.#outbox.close();
  }

  /** True when `run` was queued: the room (owned here) waits for its hand-off. */
  defer(roomKey: string, run: () => void): boolean {
    return this.#inbox.defer(roomKey, run);
  }

  /** A peer's heartbeat: its claim may have changed. */
  heartbeat(node: string, payload: Readonly<Record<string, unknown>>): void {
    if (this.#claims.update(node, payload[CLAIM_PAYLOAD_PART])) this.#inbox.reconsider();
  }

  /** A peer is gone (down, left, a new life): it claims nothing any more. */
  peerGone(node: string): void {
    if (this.#claims.drop(node)) this.#inbox.reconsider();
  }

  /** The ring moved `roomKey` away from this node: hand it over. */
  lost(roomKey: string): void {
    this.#unsubscribeWhenServed.delete(roomKey);
    this.#inbox.forget(roomKey);
    this.#outbox.handOver(roomKey);
  }

  /** The ring moved `roomKey` to this node; its fan-out subscription stays until it is served. */
  gained(roomKey: string): void {
    if (this.#o.interest.has(roomKey)) this.#unsubscribeWhenServed.add(roomKey);
  }

  /** The ring moved `roomKey` between two other nodes. */
  passed(roomKey: string): void {
    this.#unsubscribeWhenServed.delete(roomKey);
  }

  /** After the rooms of a ring change were told: held rooms are settled again, claims follow. */
  ringChanged(): void {
    this.#inbox.ringChanged();
    this.#announceClaim();
  }

  /** Resolves once every hand-off in progress ended, or after `ms`. */
  idle(ms: number): Promise<void> {
    return this.#outbox.idle(ms);
  }

  #import(roomKey: string, state: RoomState): void {
    try {
      this.#o.local.importRoom(roomKey, state, (error) => {
        if (error !== null) this.#o.log({ type: 'handoff_failed', roomKey, error });
      });
    } catch (error) {
      // The pool is restarting: the room starts afresh there, as any room of a restarted shard.
      this.#o.log({ type: 'handoff_failed', roomKey, error: asError(error) });
    }
  }

  #onServing(roomKey: string, imported: boolean): void {
    if (this.#unsubscribeWhenServed.delete(roomKey)) this.#o.interest.unsubscribe(roomKey);
    // Nodes with members keep their fan-out subscription across the move but re-join here only
    // as their rings change: until then, every delivery goes out on the room's fan-out subject.
    if (imported) this.#o.owner.fanFor(roomKey, this.#o.fanMs);
  }

  /** What this node's heartbeats claim: its ring, or the one before while hand-offs are out. */
  #announceClaim(): void {
    if (!this.#joined || this.#outbox.busy) return;
    const ring = this.#o.leaving() ? null : this.#o.ring();
    if (ring === this.#claimRing) return;
    this.#claimRing = ring;
    this.#o.membership.beat();
  }
}

import { ClusterError, type ClusterLog } from '../base/index.js';
import type { RoomHandoff } from '../handoff/index.js';
import type { Membership, MembershipEvent } from '../membership/index.js';
import { ClusterRing, ownerMove } from '../membership/index.js';
import type {
  ClusterRoomsEvent,
  ClusterRoomsListener,
  RoomInterest,
  RoomOwner,
} from '../rooms/index.js';
import type { MemberId } from '../wire/index.js';

export interface OwnerChangesOptions {
  readonly self: MemberId;
  readonly membership: Membership;
  readonly interest: RoomInterest;
  readonly owner: RoomOwner;
  readonly handoff: RoomHandoff;
  /** True while the gateway serves (running or leaving): membership events count. */
  readonly open: () => boolean;
  /** True once this node leaves: its ring is the live set without it. */
  readonly leaving: () => boolean;
  readonly log: ClusterLog;
}

/**
 * This node's ring over the live members, following the membership: the rooms whose owner moved
 * (among those this node has members in or owns) are handed over or held for their hand-off
 * (RoomHandoff) and reported to the listeners as `owner-changed`; so are the rooms of an owner
 * that restarted.
 */
export class OwnerChanges {
  readonly #o: OwnerChangesOptions;
  readonly #listeners = new Set<ClusterRoomsListener>();
  #ring: ClusterRing;
  #offMembership: (() => void) | null = null;

  constructor(options: OwnerChangesOptions) {
    this.#o = options;
    this.#ring = new ClusterRing([options.self.node]);
  }

  /** This node's current ring. */
  get ring(): ClusterRing {
    return this.#ring;
  }

  /** Adds a listener; returns the function that removes it. */
  on(listener: ClusterRoomsListener): () => void {
    if (typeof listener !== 'function') {
      throw new ClusterError('ARQ_ERR_CLUSTER_OPTIONS', 'listener must be a function');
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Takes the live set as the ring and follows the membership from now on. */
  start(): void {
    const o = this.#o;
    this.#ring = new ClusterRing(o.membership.nodes());
    this.#offMembership = o.membership.on((event) => this.#onMembership(event));
  }

  close(): void {
    this.#offMembership?.();
    this.#offMembership = null;
  }

  /** Takes the live set as the ring; handles and reports (and returns) the rooms that moved. */
  reRing(): string[] {
    const before = this.#ring;
    const after = new ClusterRing(this.#liveNodes());
    if (after.sameMembers(before) || after.size === 0) return [];
    this.#ring = after;
    const self = this.#o.self.node;
    const moved: string[] = [];
    for (const roomKey of new Set([...this.#o.interest.rooms(), ...this.#o.owner.rooms()])) {
      const move = ownerMove(before, after, roomKey);
      if (move === null) continue;
      moved.push(roomKey);
      // A room leaves a node only when another comes up or when the node leaves itself: its old
      // owner is alive, so it hands the room over (its members re-join the new owner meanwhile).
      if (move.from === self) this.#o.handoff.lost(roomKey);
      if (move.to === self) {
        // The old owner's last fan-out messages may still be on their way: listen until served.
        this.#o.handoff.gained(roomKey);
      } else {
        if (move.from !== self) this.#o.handoff.passed(roomKey);
        this.#o.interest.subscribe(roomKey);
      }
    }
    this.#o.handoff.ringChanged();
    if (moved.length > 0) this.#emit('membership', moved);
    return moved;
  }

  #onMembership(event: MembershipEvent): void {
    if (!this.#o.open()) return;
    switch (event.type) {
      case 'heartbeat':
        this.#o.handoff.heartbeat(event.member.node, event.payload);
        return;
      case 'up':
        this.reRing();
        return;
      case 'down':
      case 'leaving':
        this.reRing();
        this.#o.owner.dropMember(event.member);
        this.#o.handoff.peerGone(event.member.node);
        return;
      case 'restarted': {
        this.#o.owner.dropMember(event.previous);
        const moved = new Set(this.reRing());
        this.#o.handoff.peerGone(event.previous.node);
        // The new life of the owner has none of its rooms' members: they re-join it too.
        const node = event.member.node;
        const rooms = this.#o.interest
          .rooms()
          .filter((key) => !moved.has(key) && this.#ring.ownerOf(key) === node);
        if (rooms.length > 0) this.#emit('owner-restarted', rooms);
        return;
      }
    }
  }

  /** The live set (without this node once it leaves): this node's ring. */
  #liveNodes(): string[] {
    const nodes = this.#o.membership.nodes();
    return this.#o.leaving() ? nodes.filter((node) => node !== this.#o.self.node) : nodes;
  }

  #emit(reason: ClusterRoomsEvent['reason'], rooms: string[]): void {
    const set = new Set(rooms);
    const event: ClusterRoomsEvent = {
      type: 'owner-changed',
      reason,
      rooms,
      moved: (roomKey) => set.has(roomKey),
    };
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#o.log({ type: 'listener_failed', error });
      }
    }
  }
}

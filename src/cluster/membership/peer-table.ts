import { compareIncarnations } from '../../../actors/index.js';
import type { MemberId } from '../wire/index.js';
import type { MembershipEvent, PeerInfo } from './membership-event.js';

interface PeerRecord {
  member: MemberId;
  status: 'up' | 'down' | 'left';
  /** Monotonic ms of its last heartbeat (or of our reconnect: see `forgiveSilence`). */
  lastSeen: number;
  /** Monotonic ms of its last status change. */
  changedAt: number;
}

/** The membership change a message made; `stale` when it was ignored. */
export type PeerChange = MembershipEvent | 'stale' | null;

/**
 * What this node knows of its peers, one record per node id: the newest incarnation heard, its
 * status and when it was last heard. Pure bookkeeping (times are passed in); Membership turns the
 * changes into events. A departed life is kept as `left` so that its heartbeats still in flight
 * do not bring it back; down and left records are forgotten after `forgetAfterMs`.
 */
export class PeerTable {
  readonly #peers = new Map<string, PeerRecord>();

  /** Live peers' ids. */
  live(): MemberId[] {
    const out: MemberId[] = [];
    for (const peer of this.#peers.values()) {
      if (peer.status === 'up') out.push({ ...peer.member });
    }
    return out;
  }

  snapshot(now: number): PeerInfo[] {
    return [...this.#peers.values()].map((p) => ({
      member: { ...p.member },
      status: p.status,
      lastSeenMs: Math.max(0, now - p.lastSeen),
    }));
  }

  /** A heartbeat of `member`: `up` for a new or returning peer, `restarted` for a newer life. */
  heartbeat(member: MemberId, now: number): PeerChange {
    const peer = this.#peers.get(member.node);
    if (peer === undefined) {
      this.#peers.set(member.node, { member, status: 'up', lastSeen: now, changedAt: now });
      return { type: 'up', member: { ...member } };
    }
    const order = compareIncarnations(member.incarnation, peer.member.incarnation);
    if (order < 0 || (order === 0 && peer.status === 'left')) return 'stale';
    if (order > 0) {
      const previous = peer.member;
      this.#peers.set(member.node, { member, status: 'up', lastSeen: now, changedAt: now });
      return { type: 'restarted', previous: { ...previous }, member: { ...member } };
    }
    peer.lastSeen = now;
    if (peer.status !== 'down') return null;
    peer.status = 'up';
    peer.changedAt = now;
    return { type: 'up', member: { ...member } };
  }

  /** A `leaving` of `member`: the life we knew of that node is gone (`leaving` names it). */
  leaving(member: MemberId, now: number): PeerChange {
    const peer = this.#peers.get(member.node);
    let change: PeerChange = null;
    if (peer !== undefined) {
      const order = compareIncarnations(member.incarnation, peer.member.incarnation);
      if (order < 0 || (order === 0 && peer.status === 'left')) return 'stale';
      // A newer life that leaves before we heard it takes the life we knew with it.
      if (peer.status !== 'left') change = { type: 'leaving', member: { ...peer.member } };
    }
    this.#peers.set(member.node, { member, status: 'left', lastSeen: now, changedAt: now });
    return change;
  }

  /**
   * Marks live peers silent for more than `downAfterMs` down (their events are returned, unless
   * `checkSilence` is false) and forgets records that changed more than `forgetAfterMs` ago.
   */
  sweep(
    now: number,
    downAfterMs: number,
    forgetAfterMs: number,
    checkSilence: boolean,
  ): MembershipEvent[] {
    const events: MembershipEvent[] = [];
    for (const [node, peer] of this.#peers) {
      const silent = now - peer.lastSeen;
      if (checkSilence && peer.status === 'up' && silent > downAfterMs) {
        peer.status = 'down';
        peer.changedAt = now;
        events.push({ type: 'down', member: { ...peer.member }, silentMs: Math.round(silent) });
      } else if (peer.status !== 'up' && now - peer.changedAt > forgetAfterMs) {
        this.#peers.delete(node);
      }
    }
    return events;
  }

  /** Gives every live peer a fresh start: the silence just ended was this node's own outage. */
  forgiveSilence(now: number): void {
    for (const peer of this.#peers.values()) {
      if (peer.status === 'up') peer.lastSeen = now;
    }
  }
}

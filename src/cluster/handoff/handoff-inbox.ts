import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { type RoomState, roomKeyOf } from '../../../actors/index.js';
import { asError, ClusterError, type ClusterLog } from '../base/index.js';
import type { ClusterRing } from '../membership/index.js';
import type { RoomRouteCounters } from '../rooms/index.js';
import {
  decodeRoomHandoff,
  encodeHandoffAck,
  type HandoffAck,
  nodeHandoffWildcard,
  roomHandoffSubject,
} from '../wire/index.js';
import type { PeerClaims } from './room-claims.js';

export interface HandoffInboxOptions {
  readonly connection: NatsConnection;
  readonly self: string;
  /** This node's current ring. */
  readonly ring: () => ClusterRing;
  /** True once this node has been through one heartbeat round (it has heard every live peer). */
  readonly joined: () => boolean;
  readonly claims: PeerClaims;
  readonly timeoutMs: number;
  /** Starts the room on this node's shards from a handed-over state (before anything queued). */
  readonly importRoom: (roomKey: string, state: RoomState) => void;
  /** The room may be served here from now on (`imported`: it continues a handed-over stream). */
  readonly onServing: (roomKey: string, imported: boolean) => void;
  readonly log: ClusterLog;
  readonly counters: RoomRouteCounters;
}

interface Held {
  /** Requests for the room, local and remote, in arrival order; each routes itself again. */
  readonly queue: (() => void)[];
  readonly timer: NodeJS.Timeout;
}

interface Stashed {
  readonly from: string;
  readonly state: RoomState;
  readonly at: number;
}

/**
 * The new owner's side of a graceful move: requests for a room this node now owns wait while a
 * live peer still claims it (PeerClaims: the old owner has not let go yet) or while this node has
 * not heard every peer yet; a hand-off from the old owner starts the room with its state, then the
 * waiting requests run in the order they came. A room nobody hands over within `timeoutMs` starts
 * afresh (a new epoch, as after a crash) and is counted.
 *
 * A hand-off that comes before this node's own ring gives it the room is kept for a while and used
 * once the ring does. When every peer claims by this node's ring and nothing is held or kept, the
 * check is one boolean (`#calm`): the steady state costs nothing per request.
 */
export class HandoffInbox {
  readonly #o: HandoffInboxOptions;
  readonly #held = new Map<string, Held>();
  readonly #stash = new Map<string, Stashed>();
  /** Started afresh after the deadline: served without waiting until the ring changes. */
  readonly #forced = new Set<string>();
  /** Rooms found free since the last change of claims or ring (a cache of `#mustHold`). */
  readonly #free = new Set<string>();
  /** The epoch each room was imported with, to know a repeated hand-off (a retry) from a late one. */
  readonly #imported = new Map<string, string>();
  #calm = false;
  #sweep: NodeJS.Timeout | null = null;
  #sub: Subscription | null = null;
  #closed = false;

  constructor(options: HandoffInboxOptions) {
    this.#o = options;
  }

  get held(): number {
    return this.#held.size;
  }

  /** Listens for the hand-offs addressed to this node. */
  start(): void {
    this.#sub = this.#o.connection.subscribe(nodeHandoffWildcard(this.#o.self), {
      callback: (err, msg) => this.#onMessage(err, msg),
    });
  }

  /**
   * True when `run` was queued (the room waits for its hand-off): the caller does nothing more.
   * False: the caller goes ahead now. Only for rooms this node owns.
   */
  defer(roomKey: string, run: () => void): boolean {
    if (this.#calm || this.#closed) return false;
    let held = this.#held.get(roomKey);
    if (held === undefined) {
      if (this.#free.has(roomKey) || !this.#check(roomKey)) return false;
      held = this.#hold(roomKey);
    }
    held.queue.push(run);
    return true;
  }

  /** A hand-off came: keep it, use it when (or as soon as) this node serves the room. */
  receive(roomKey: string, from: string, state: RoomState): HandoffAck {
    if (this.#imported.get(roomKey) === state.epoch) return { type: 'accepted' }; // a retry
    const mine = this.#o.ring().ownerOf(roomKey) === this.#o.self;
    if (
      mine &&
      !this.#held.has(roomKey) &&
      (this.#free.has(roomKey) || this.#forced.has(roomKey))
    ) {
      // Served here already (started afresh after the deadline): too late to continue its stream.
      this.#o.counters.handoffsLate += 1;
      return { type: 'late' };
    }
    this.#stash.set(roomKey, { from, state, at: performance.now() });
    this.#o.counters.handoffsReceived += 1;
    this.#armSweep();
    this.reconsider();
    return { type: 'accepted' };
  }

  /** The room left this node (moved away or handed over): it may come back with a new stream. */
  forget(roomKey: string): void {
    this.#imported.delete(roomKey);
    this.#forced.delete(roomKey);
  }

  /** This node's ring changed: rooms forced afresh are settled again by the claims. */
  ringChanged(): void {
    this.#forced.clear();
    this.reconsider();
  }

  /** Claims, ring, readiness or the stash changed: frees or imports what can go on now. */
  reconsider(): void {
    this.#free.clear();
    for (const roomKey of [...this.#held.keys()]) {
      if (this.#o.ring().ownerOf(roomKey) !== this.#o.self || !this.#check(roomKey)) {
        this.#release(roomKey);
      }
    }
    for (const roomKey of [...this.#stash.keys()]) {
      if (this.#o.ring().ownerOf(roomKey) === this.#o.self && !this.#held.has(roomKey)) {
        this.#check(roomKey);
      }
    }
    this.#calm =
      this.#held.size === 0 &&
      this.#stash.size === 0 &&
      this.#o.joined() &&
      this.#o.claims.agreeWith(this.#o.ring());
  }

  close(): void {
    try {
      this.#sub?.unsubscribe();
    } catch {
      // the connection is closed already: the subscription went with it
    }
    this.#sub = null;
    this.#closed = true;
    // What waits runs now and meets the closed gateway: every request is still answered once.
    for (const roomKey of [...this.#held.keys()]) this.#release(roomKey);
    this.#stash.clear();
    if (this.#sweep !== null) clearInterval(this.#sweep);
    this.#sweep = null;
  }

  #onMessage(err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.#o.log({ type: 'subscription_failed', subject: msg?.subject ?? '', error: err });
      return;
    }
    let ack: HandoffAck;
    try {
      const handoff = decodeRoomHandoff(msg.data);
      if (msg.subject !== roomHandoffSubject(handoff.tenant, this.#o.self, handoff.room)) {
        throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', 'the hand-off names another room');
      }
      ack = this.receive(roomKeyOf(handoff.tenant, handoff.room), handoff.from, handoff.state);
    } catch (error) {
      // Not acked: a malformed hand-off is retried by nobody, and its room starts afresh here.
      this.#o.counters.malformed += 1;
      this.#o.log({ type: 'malformed', subject: msg.subject, error: asError(error) });
      return;
    }
    if (!msg.reply) return;
    try {
      msg.respond(encodeHandoffAck(ack));
    } catch {
      // the connection is closing: the sender retries or gives up
    }
  }

  /**
   * True when the room must wait. When it need not and a hand-off for it is kept, the room is
   * imported now (before the caller's request reaches the shard).
   */
  #check(roomKey: string): boolean {
    if (this.#forced.has(roomKey)) return false;
    if (!this.#o.joined()) return true;
    const stashed = this.#stash.get(roomKey);
    if (this.#o.claims.claims(roomKey, stashed?.from ?? null)) return true;
    this.#free.add(roomKey);
    if (stashed !== undefined) {
      this.#stash.delete(roomKey);
      this.#imported.set(roomKey, stashed.state.epoch);
      this.#o.counters.handoffsImported += 1;
      this.#o.importRoom(roomKey, stashed.state);
    }
    this.#o.onServing(roomKey, stashed !== undefined);
    return false;
  }

  #hold(roomKey: string): Held {
    const timer = setTimeout(() => {
      // Nobody handed it over in time (its old owner is stuck or its hand-off was lost).
      this.#o.counters.handoffTimeouts += 1;
      this.#o.log({ type: 'handoff_timeout', roomKey });
      this.#forced.add(roomKey);
      this.#release(roomKey);
      this.#o.onServing(roomKey, false);
    }, this.#o.timeoutMs);
    const held: Held = { queue: [], timer };
    this.#held.set(roomKey, held);
    this.#calm = false;
    return held;
  }

  #release(roomKey: string): void {
    const held = this.#held.get(roomKey);
    if (held === undefined) return;
    clearTimeout(held.timer);
    this.#held.delete(roomKey);
    for (const run of held.queue) {
      try {
        run();
      } catch (error) {
        this.#o.log({ type: 'listener_failed', error });
      }
    }
  }

  /** Hand-offs kept too long (their room never became this node's) are dropped. */
  #armSweep(): void {
    if (this.#sweep !== null) return;
    this.#sweep = setInterval(() => {
      const limit = performance.now() - 2 * this.#o.timeoutMs;
      for (const [roomKey, stashed] of this.#stash) {
        if (stashed.at < limit) this.#stash.delete(roomKey);
      }
      if (this.#stash.size === 0 && this.#sweep !== null) {
        clearInterval(this.#sweep);
        this.#sweep = null;
        this.reconsider();
      }
    }, this.#o.timeoutMs);
    this.#sweep.unref();
  }
}

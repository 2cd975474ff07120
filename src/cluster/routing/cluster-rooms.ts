import type { Status } from '@nats-io/transport-node';
import {
  type HistoryAnswer,
  type HistoryQuery,
  type JoinAnswer,
  type PublishAnswer,
  type ResumeFrom,
  type RoomGateway,
  roomOfKey,
  tenantOfKey,
} from '../../../actors/index.js';
import type { ShardDelivery } from '../../shard/index.js';
import { ClusterError } from '../base/index.js';
import { RoomHandoff } from '../handoff/index.js';
import type { MembershipEvent } from '../membership/index.js';
import { ClusterRing, ownerMove } from '../membership/index.js';
import {
  type ClusterRoomsEvent,
  type ClusterRoomsListener,
  type ClusterRoomsOptions,
  type ClusterRoomsStats,
  isProxyId,
  newRoomRouteCounters,
  type ResolvedClusterRoomsOptions,
  RoomFanIn,
  RoomInterest,
  RoomOwner,
  RoomRequester,
  resolveClusterRoomsOptions,
} from '../rooms/index.js';
import type { MemberId } from '../wire/index.js';
import { RoomRouter, unexpected } from './room-router.js';

type State = 'idle' | 'running' | 'leaving' | 'closed';

/**
 * After the NATS connection comes back, each remote room of interest asks its owner for its
 * position, this long after: an owner whose write failed in the outage reads its stream again
 * and delivers what was stored anyway, and that fan-out can be lost while subscriptions return;
 * with nothing after it, no later offset would show the gap.
 */
const POSITION_CHECKS_AFTER_RECONNECT_MS = [1_000, 5_000] as const;

/**
 * The cluster's RoomGateway: any connection of any node joins and publishes to any room, and each
 * room lives on exactly one owner node, `ClusterRing.ownerOf(roomKey)` over the live members.
 *
 * - Owner is this node: straight to the local shards, no NATS hop.
 * - Owner is another node: a NATS request on `arq.pub.t.<tenant>.o.<owner>.r.<room>` carrying an
 *   Envelope; the owner runs it through its own shards with a proxy connection id (RoomOwner) and
 *   answers; an error answer is re-created here with the same `code`, so it maps to the same wire
 *   error. An owner that is gone (no responders) or silent (timeout) gives ARQ_ERR_SHARD_DOWN
 *   (`overloaded`); NOT_OWNER (the rings disagree for a moment) is retried after
 *   `notOwnerRetryMs`, within `requestTimeoutMs`, against the owner of the ring as it is then.
 * - Fan-out: the owner hands every delivery to its edge and, if the room has remote members,
 *   publishes ONE message on `arq.fan.t.<tenant>.r.<room>`, which only nodes with local members
 *   subscribe to; they hand it to their edge with the sender's connection id when the sender is
 *   theirs (so `echo: false` leaves it out), else 0. A node subscribes before its first join
 *   request leaves, so nothing published after the owner's reply can miss it.
 * - Replays (join with `since`) go on `arq.dir.t.<tenant>.n.<node>.r.<room>` to the joiner's node
 *   only, after the join's reply and before any later live message (one publisher connection).
 * - Membership changes: rooms whose owner changed, among those this node has members in or owns,
 *   are reported as `owner-changed`; the node re-joins its members there with `restore`. A
 *   restarted owner is reported too.
 * - Graceful moves (a node came up, or this node leaves: the old owner is alive): the old owner
 *   hands the room over (HandoffOutbox: export from its shard after the room's earlier messages,
 *   then its state to the new owner) and keeps claiming it meanwhile (PeerClaims, on its
 *   heartbeats); the new owner holds the room's requests until the hand-off (HandoffInbox), then
 *   starts the room with the same epoch, offsets and history, and for a while fans out every
 *   delivery, also to nodes whose members have not re-joined yet. One node's requests for one
 *   room stay in order across the move (RoomLanes). A room whose owner died starts afresh.
 *
 * Every callback runs exactly once; nothing from the network throws out of a NATS callback.
 */
export class ClusterRooms implements RoomGateway {
  readonly #o: ResolvedClusterRoomsOptions;
  readonly #self: MemberId;
  readonly #counters = newRoomRouteCounters();
  readonly #listeners = new Set<ClusterRoomsListener>();
  readonly #interest: RoomInterest;
  readonly #fanIn: RoomFanIn;
  readonly #requester: RoomRequester;
  readonly #owner: RoomOwner;
  readonly #router: RoomRouter;
  readonly #handoff: RoomHandoff;
  #ring: ClusterRing;
  #state: State = 'idle';
  #offMembership: (() => void) | null = null;
  #status: AsyncIterable<Status> | null = null;
  readonly #checkTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: ClusterRoomsOptions) {
    this.#o = resolveClusterRoomsOptions(options);
    const o = this.#o;
    this.#self = o.membership.self;
    const self = this.#self.node;
    this.#ring = new ClusterRing([self]);
    this.#fanIn = new RoomFanIn({
      connection: o.connection,
      self,
      deliver: o.deliver,
      lingerMs: o.fanInLingerMs,
      log: o.log,
      counters: this.#counters,
      fetch: (roomKey, query, done) => this.history(roomKey, query, done),
    });
    this.#interest = new RoomInterest(
      (roomKey) => this.#fanIn.subscribe(roomKey),
      (roomKey) => this.#fanIn.forget(roomKey),
    );
    this.#requester = new RoomRequester(o.connection, o.requestTimeoutMs, o.log, this.#counters);
    this.#owner = new RoomOwner({
      connection: o.connection,
      self: this.#self,
      local: o.local,
      owns: (roomKey) => this.#owns(roomKey),
      defer: (roomKey, run) => this.#owns(roomKey) && this.#handoff.defer(roomKey, run),
      log: o.log,
      counters: this.#counters,
    });
    this.#handoff = new RoomHandoff({
      connection: o.connection,
      membership: o.membership,
      local: o.local,
      owner: this.#owner,
      interest: this.#interest,
      ring: () => this.#ring,
      owns: (roomKey) => this.#owns(roomKey),
      leaving: () => this.#state === 'leaving',
      timeoutMs: o.handoffTimeoutMs,
      fanMs: o.requestTimeoutMs,
      log: o.log,
      counters: this.#counters,
    });
    this.#router = new RoomRouter({
      self,
      ring: () => this.#ring,
      open: () => this.#state === 'running' || this.#state === 'leaving',
      requester: this.#requester,
      interest: this.#interest,
      handoff: this.#handoff,
      retryMs: o.notOwnerRetryMs,
      timeoutMs: o.requestTimeoutMs,
      counters: this.#counters,
    });
  }

  get node(): string {
    return this.#self.node;
  }

  /** The room's owner by this node's current ring. */
  ownerOf(roomKey: string): string {
    return this.#ring.ownerOf(roomKey);
  }

  stats(): ClusterRoomsStats {
    return {
      ...this.#counters,
      awaitingHandoff: this.#handoff.held,
      gapFilling: this.#fanIn.filling,
      rooms: this.#interest.size,
      fanSubscriptions: this.#interest.subscriptions,
      proxies: this.#owner.proxies,
      pendingRequests: this.#requester.pending,
    };
  }

  /** The rooms this node holds a fan-out subscription for. */
  fanRooms(): string[] {
    return this.#interest.subscribedRooms();
  }

  /** Adds a listener; returns the function that removes it. */
  on(listener: ClusterRoomsListener): () => void {
    if (typeof listener !== 'function') {
      throw new ClusterError('ARQ_ERR_CLUSTER_OPTIONS', 'listener must be a function');
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Subscribes (owner requests, replies, replays, hand-offs) and follows the membership. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') {
      throw new ClusterError(
        'ARQ_ERR_CLUSTER_STATE',
        `start() on cluster rooms that are ${this.#state}`,
      );
    }
    const o = this.#o;
    this.#state = 'running';
    this.#ring = new ClusterRing(o.membership.nodes());
    this.#offMembership = o.membership.on((event) => this.#onMembership(event));
    try {
      this.#requester.start();
      this.#owner.start();
      this.#fanIn.start();
      this.#handoff.start();
      this.#watchStatus();
      await o.connection.flush();
    } catch (err) {
      await this.close();
      throw new ClusterError('ARQ_ERR_CLUSTER_STATE', 'cluster rooms could not subscribe', {
        cause: err,
      });
    }
  }

  /**
   * Graceful leave, before the membership's `leaving`: this node stops owning rooms (they go to
   * the ring without it) and hands each over to its new owner; resolves when all are acked, or
   * after `handoffTimeoutMs` (what is left over then starts afresh on its new owner).
   */
  async handOff(): Promise<void> {
    if (this.#state !== 'running') return;
    if (!this.#o.membership.nodes().some((node) => node !== this.#self.node)) return;
    this.#state = 'leaving';
    this.#reRing();
    await this.#handoff.idle(this.#o.handoffTimeoutMs);
  }

  /** Stops; requests in flight fail with ARQ_ERR_SHARD_STOPPED. The connection stays open. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#offMembership?.();
    this.#offMembership = null;
    stopIterator(this.#status);
    this.#status = null;
    for (const timer of this.#checkTimers) clearTimeout(timer);
    this.#checkTimers.clear();
    this.#router.close();
    this.#requester.close();
    this.#owner.close();
    this.#interest.close();
    this.#fanIn.close();
    this.#handoff.close();
  }

  join(
    roomKey: string,
    connId: number,
    since: ResumeFrom | null,
    restore: boolean,
    done: (error: Error | null, reply: JoinAnswer | null) => void,
  ): void {
    this.#interest.beginJoin(roomKey);
    const replayed = restore && since !== null && 'epoch' in since;
    const finish =
      (remote: boolean) =>
      (error: Error | null, reply: JoinAnswer | null): void => {
        if (error !== null || reply === null) {
          this.#fanIn.after(roomKey, () => {
            this.#interest.end(roomKey, null);
            done(error, reply);
          });
          return;
        }
        // Messages the room ordered before this join reach the edge before the joiner subscribes,
        // and so does what this node missed of them (the answer may show the room further on).
        const at = {
          epoch: reply.epoch,
          offset: reply.offset,
          replayed,
          members: this.#interest.memberCount(roomKey),
        };
        this.#fanIn.joined(roomKey, at, remote, () => {
          this.#interest.end(roomKey, connId);
          done(null, reply);
        });
      };
    const request = { ...this.#origin(roomKey, connId), type: 'join', since, restore } as const;
    const remote = finish(true);
    this.#router.route(roomKey, request, {
      local: () => this.#o.local.join(roomKey, connId, since, restore, finish(false)),
      reply: (reply) => {
        if (reply.type !== 'joined') return remote(unexpected(reply), null);
        const answer: JoinAnswer = reply.recovered
          ? { epoch: reply.epoch, offset: reply.offset }
          : { epoch: reply.epoch, offset: reply.offset, recovered: false };
        remote(null, answer);
      },
      fail: (error) => remote(error, null),
    });
  }

  leave(
    roomKey: string,
    connId: number,
    done: ((error: Error | null, reply: unknown) => void) | null,
  ): void {
    // A disconnect (no callback) is gone at once; a leave keeps the room until its answer, so
    // what the room ordered before it still arrives.
    if (done === null) this.#interest.remove(roomKey, connId);
    else this.#interest.beginLeave(roomKey, connId);
    const finish = (error: Error | null, reply: unknown): void => {
      if (done === null) return;
      // Messages the room ordered before this leave still reach the leaver.
      this.#fanIn.after(roomKey, () => {
        this.#interest.end(roomKey, null);
        done(error, reply);
      });
    };
    const request = { ...this.#origin(roomKey, connId), type: 'leave' } as const;
    this.#router.route(roomKey, request, {
      local: () => this.#o.local.leave(roomKey, connId, done === null ? null : finish),
      reply: (reply) =>
        reply.type === 'left' ? finish(null, {}) : finish(unexpected(reply), null),
      fail: (error) => finish(error, null),
    });
  }

  publish(
    roomKey: string,
    connId: number,
    payload: Uint8Array,
    echo: boolean,
    ingressTs: number,
    done: ((error: Error | null, reply: PublishAnswer | null) => void) | null,
  ): void {
    const request = {
      ...this.#origin(roomKey, connId),
      type: 'publish',
      payload,
      echo,
      ingressTs,
    } as const;
    this.#router.route(roomKey, request, {
      local: () =>
        this.#o.local.publish(
          roomKey,
          connId,
          payload,
          echo,
          ingressTs,
          done === null
            ? null
            : (error, reply) => this.#fanIn.after(roomKey, () => done(error, reply)),
        ),
      // A remote owner answers every publish (its NOT_OWNER answer drives the retry); a
      // fire-and-forget publish just ignores the answer.
      reply: (reply) => {
        if (done === null) return;
        // The publisher's own message first, as without batching (or a gap fill).
        this.#fanIn.after(roomKey, () => {
          if (reply.type === 'published') done(null, { id: reply.id, offset: reply.offset });
          else done(unexpected(reply), null);
        });
      },
      fail: (error) => done?.(error, null),
    });
  }

  /** A history read, served by the room's owner (its window holds what the room keeps). */
  history(
    roomKey: string,
    query: HistoryQuery,
    done: (error: Error | null, reply: HistoryAnswer | null) => void,
  ): void {
    // No connection stands behind a read: the owner does not make it a member of anything.
    const request = { ...this.#origin(roomKey, 0), type: 'history', query } as const;
    this.#router.route(roomKey, request, {
      local: () => this.#o.local.history(roomKey, query, done),
      reply: (reply) =>
        reply.type === 'history' ? done(null, reply.answer) : done(unexpected(reply), null),
      fail: (error) => done(error, null),
    });
  }

  /**
   * Every delivery of this node's own shards comes here (instead of straight to the edge): the
   * edge gets it (a remote sender shows as no connection), remote members get one fan-out message,
   * and a replay for a remote joiner goes to its node.
   */
  onLocalDelivery(d: ShardDelivery): void {
    const serving = this.#state === 'running' || this.#state === 'leaving';
    if (d.direct) {
      if (isProxyId(d.connId)) {
        if (serving) this.#owner.routeDirect(d);
      } else {
        this.#fanIn.local(d, true);
      }
      return;
    }
    if (serving) this.#owner.fanOut(d);
    this.#fanIn.local(isProxyId(d.connId) ? { ...d, connId: 0 } : d, true);
  }

  /**
   * The owner's shard restarted (or one of its rooms crashed): re-joins the remote members of the
   * matching rooms, as the edge does for local ones. Returns how many memberships it restored.
   */
  restoreRemote(match: (roomKey: string) => boolean): number {
    return this.#state === 'running' ? this.#owner.restore(match) : 0;
  }

  #watchStatus(): void {
    const status = this.#o.connection.status();
    this.#status = status;
    void (async () => {
      try {
        for await (const s of status) if (s.type === 'reconnect') this.#checkLater();
      } catch {
        // the iterator ends with the connection; nothing is waiting on it
      }
    })();
  }

  #checkLater(): void {
    for (const ms of POSITION_CHECKS_AFTER_RECONNECT_MS) {
      const timer = setTimeout(() => {
        this.#checkTimers.delete(timer);
        if (this.#state === 'running' || this.#state === 'leaving') this.#fanIn.checkPositions();
      }, ms);
      this.#checkTimers.add(timer);
    }
  }

  #owns(roomKey: string): boolean {
    return this.#state === 'running' && this.#ring.ownerOf(roomKey) === this.#self.node;
  }

  #origin(roomKey: string, conn: number) {
    return {
      tenant: tenantOfKey(roomKey),
      room: roomOfKey(roomKey),
      node: this.#self.node,
      incarnation: this.#self.incarnation,
      conn,
    };
  }

  #onMembership(event: MembershipEvent): void {
    if (this.#state !== 'running' && this.#state !== 'leaving') return;
    switch (event.type) {
      case 'heartbeat':
        this.#handoff.heartbeat(event.member.node, event.payload);
        return;
      case 'up':
        this.#reRing();
        return;
      case 'down':
      case 'leaving':
        this.#reRing();
        this.#owner.dropMember(event.member);
        this.#handoff.peerGone(event.member.node);
        return;
      case 'restarted': {
        this.#owner.dropMember(event.previous);
        const moved = new Set(this.#reRing());
        this.#handoff.peerGone(event.previous.node);
        // The new life of the owner has none of its rooms' members: they re-join it too.
        const node = event.member.node;
        const rooms = this.#interest
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
    return this.#state === 'leaving' ? nodes.filter((node) => node !== this.#self.node) : nodes;
  }

  /** Takes the live set as the ring; handles and reports (and returns) the rooms that moved. */
  #reRing(): string[] {
    const before = this.#ring;
    const after = new ClusterRing(this.#liveNodes());
    if (after.sameMembers(before) || after.size === 0) return [];
    this.#ring = after;
    const self = this.#self.node;
    const moved: string[] = [];
    for (const roomKey of new Set([...this.#interest.rooms(), ...this.#owner.rooms()])) {
      const move = ownerMove(before, after, roomKey);
      if (move === null) continue;
      moved.push(roomKey);
      // A room leaves a node only when another comes up or when the node leaves itself: its old
      // owner is alive, so it hands the room over (its members re-join the new owner meanwhile).
      if (move.from === self) this.#handoff.lost(roomKey);
      if (move.to === self) {
        // The old owner's last fan-out messages may still be on their way: listen until served.
        this.#handoff.gained(roomKey);
      } else {
        if (move.from !== self) this.#handoff.passed(roomKey);
        this.#interest.subscribe(roomKey);
      }
    }
    this.#handoff.ringChanged();
    if (moved.length > 0) this.#emit('membership', moved);
    return moved;
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

/** Ends a status iterator so that its loop finishes (the type hides `stop`, the object has it). */
function stopIterator(iterable: AsyncIterable<Status> | null): void {
  const stoppable = iterable as { stop?: unknown } | null;
  if (stoppable !== null && typeof stoppable.stop === 'function') stoppable.stop();
}

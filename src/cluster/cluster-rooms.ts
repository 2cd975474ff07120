import {
  type JoinAnswer,
  type PublishAnswer,
  type ResumeFrom,
  type RoomGateway,
  roomOfKey,
  tenantOfKey,
} from '../../actors/index.js';
import type { ShardDelivery } from '../shard/index.js';
import { ClusterError } from './cluster-error.js';
import { asError } from './cluster-log.js';
import { ClusterRing, ownerMove } from './cluster-ring.js';
import {
  type ClusterRoomsEvent,
  type ClusterRoomsListener,
  type ClusterRoomsStats,
  newRoomRouteCounters,
} from './cluster-rooms-event.js';
import {
  type ClusterRoomsOptions,
  type ResolvedClusterRoomsOptions,
  resolveClusterRoomsOptions,
} from './cluster-rooms-options.js';
import type { MemberId, MembershipEvent } from './membership-event.js';
import { isProxyId } from './proxy-table.js';
import { RoomFanIn } from './room-fan-in.js';
import { RoomInterest } from './room-interest.js';
import { RoomOwner } from './room-owner.js';
import { RoomRequester } from './room-requester.js';
import { RoomRouteError } from './room-route-error.js';
import { encodeRoomRequest, type RoomReply, type RoomRequest } from './room-wire.js';
import { roomPublishSubject } from './subjects.js';

type State = 'idle' | 'running' | 'closed';

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
 *   are reported as `owner-changed`; the node re-joins its members there with `restore`. The old
 *   owner takes its members (local and remote) out of the room; a restarted owner is reported too.
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
  /** NOT_OWNER retries waiting for their turn, each with the way to fail it on close. */
  readonly #retries = new Map<NodeJS.Timeout, () => void>();
  #ring: ClusterRing;
  #state: State = 'idle';
  #offMembership: (() => void) | null = null;

  constructor(options: ClusterRoomsOptions) {
    this.#o = resolveClusterRoomsOptions(options);
    const o = this.#o;
    this.#self = o.membership.self;
    this.#ring = new ClusterRing([this.#self.node]);
    this.#fanIn = new RoomFanIn({
      connection: o.connection,
      self: this.#self.node,
      deliver: o.deliver,
      log: o.log,
      counters: this.#counters,
    });
    this.#interest = new RoomInterest((roomKey) => this.#fanIn.subscribe(roomKey));
    this.#requester = new RoomRequester(o.connection, o.requestTimeoutMs, o.log, this.#counters);
    this.#owner = new RoomOwner({
      connection: o.connection,
      self: this.#self,
      local: o.local,
      owns: (roomKey) =>
        this.#state === 'running' && this.#ring.ownerOf(roomKey) === this.#self.node,
      log: o.log,
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

  /** Subscribes (owner requests, replies, replays) and follows the membership. */
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
      await o.connection.flush();
    } catch (err) {
      await this.close();
      throw new ClusterError('ARQ_ERR_CLUSTER_STATE', 'cluster rooms could not subscribe', {
        cause: err,
      });
    }
  }

  /** Stops; requests in flight fail with ARQ_ERR_SHARD_STOPPED. The connection stays open. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#offMembership?.();
    this.#offMembership = null;
    this.#requester.close();
    this.#owner.close();
    this.#interest.close();
    this.#fanIn.close();
    const retries = [...this.#retries];
    this.#retries.clear();
    for (const [timer, fail] of retries) {
      clearTimeout(timer);
      fail();
    }
  }

  join(
    roomKey: string,
    connId: number,
    since: ResumeFrom | null,
    restore: boolean,
    done: (error: Error | null, reply: JoinAnswer | null) => void,
  ): void {
    this.#interest.beginJoin(roomKey);
    const finish = (error: Error | null, reply: JoinAnswer | null): void => {
      this.#interest.end(roomKey, error === null ? connId : null);
      done(error, reply);
    };
    const request = { ...this.#origin(roomKey, connId), type: 'join', since, restore } as const;
    this.#route(roomKey, request, performance.now(), {
      local: () => this.#o.local.join(roomKey, connId, since, restore, finish),
      reply: (reply) => {
        if (reply.type !== 'joined') return finish(unexpected(reply), null);
        const answer: JoinAnswer = reply.recovered
          ? { epoch: reply.epoch, offset: reply.offset }
          : { epoch: reply.epoch, offset: reply.offset, recovered: false };
        finish(null, answer);
      },
      fail: (error) => finish(error, null),
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
      this.#interest.end(roomKey, null);
      done(error, reply);
    };
    const request = { ...this.#origin(roomKey, connId), type: 'leave' } as const;
    this.#route(roomKey, request, performance.now(), {
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
    this.#route(roomKey, request, performance.now(), {
      local: () => this.#o.local.publish(roomKey, connId, payload, echo, ingressTs, done),
      // A remote owner answers every publish (its NOT_OWNER answer drives the retry); a
      // fire-and-forget publish just ignores the answer.
      reply: (reply) =>
        reply.type === 'published'
          ? done?.(null, { id: reply.id, offset: reply.offset })
          : done?.(unexpected(reply), null),
      fail: (error) => done?.(error, null),
    });
  }

  /**
   * Every delivery of this node's own shards comes here (instead of straight to the edge): the
   * edge gets it (a remote sender shows as no connection), remote members get one fan-out message,
   * and a replay for a remote joiner goes to its node.
   */
  onLocalDelivery(d: ShardDelivery): void {
    if (d.direct) {
      if (isProxyId(d.connId)) {
        if (this.#state === 'running') this.#owner.routeDirect(d);
      } else {
        this.#fanIn.deliver(d);
      }
      return;
    }
    if (this.#state === 'running') this.#owner.fanOut(d);
    this.#fanIn.deliver(isProxyId(d.connId) ? { ...d, connId: 0 } : d);
  }

  /**
   * The owner's shard restarted (or one of its rooms crashed): re-joins the remote members of the
   * matching rooms, as the edge does for local ones. Returns how many memberships it restored.
   */
  restoreRemote(match: (roomKey: string) => boolean): number {
    return this.#state === 'running' ? this.#owner.restore(match) : 0;
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

  /** Sends `request` to the room's owner now (local call or NATS request); retries NOT_OWNER. */
  #route(roomKey: string, request: RoomRequest, firstAt: number, on: RouteHandlers): void {
    if (this.#state !== 'running') {
      const error = new RoomRouteError('ARQ_ERR_SHARD_STOPPED', `cluster rooms are ${this.#state}`);
      queueMicrotask(() => on.fail(error));
      return;
    }
    const owner = this.#ring.ownerOf(roomKey);
    if (owner === this.#self.node) {
      try {
        on.local();
      } catch (error) {
        // The local pool refused before sending (e.g. it is restarting): the callback still runs once.
        queueMicrotask(() => on.fail(asError(error)));
      }
      return;
    }
    // The fan-out subscription exists before the request leaves (same connection: the server
    // has it before the owner can answer), so nothing published after the reply is missed.
    if (request.type === 'join') this.#interest.subscribe(roomKey);
    const subject = roomPublishSubject(request.tenant, owner, request.room);
    this.#requester.request(subject, encodeRoomRequest(request), (error, reply) => {
      if (error === null) return on.reply(reply as RoomReply);
      if (error.code !== 'ARQ_ERR_NOT_OWNER') return on.fail(error);
      if (this.#state === 'running' && performance.now() - firstAt < this.#o.requestTimeoutMs) {
        this.#counters.retries += 1;
        this.#later(() => this.#route(roomKey, request, firstAt, on), on.fail);
        return;
      }
      on.fail(
        new RoomRouteError('ARQ_ERR_SHARD_DOWN', 'no node took the room within the timeout', {
          cause: error,
        }),
      );
    });
  }

  #later(run: () => void, fail: (error: Error) => void): void {
    const timer = setTimeout(() => {
      this.#retries.delete(timer);
      run();
    }, this.#o.notOwnerRetryMs);
    this.#retries.set(timer, () =>
      fail(new RoomRouteError('ARQ_ERR_SHARD_STOPPED', 'cluster rooms are closed')),
    );
  }

  #onMembership(event: MembershipEvent): void {
    if (this.#state !== 'running') return;
    switch (event.type) {
      case 'heartbeat':
        return;
      case 'up':
        this.#reRing();
        return;
      case 'down':
      case 'leaving':
        this.#reRing();
        this.#owner.dropMember(event.member);
        return;
      case 'restarted': {
        this.#owner.dropMember(event.previous);
        const moved = new Set(this.#reRing());
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

  /** Takes the live set as the ring; handles and reports (and returns) the rooms that moved. */
  #reRing(): string[] {
    const before = this.#ring;
    const after = new ClusterRing(this.#o.membership.nodes());
    if (after.sameMembers(before)) return [];
    this.#ring = after;
    const self = this.#self.node;
    const moved: string[] = [];
    for (const roomKey of new Set([...this.#interest.rooms(), ...this.#owner.rooms()])) {
      const move = ownerMove(before, after, roomKey);
      if (move === null) continue;
      moved.push(roomKey);
      if (move.from === self) {
        // Stop serving it: every member re-joins on the new owner (ours through `owner-changed`).
        this.#owner.dropRoom(roomKey);
        for (const connId of this.#interest.members(roomKey)) this.#leaveLocal(roomKey, connId);
      }
      if (move.to === self) this.#interest.unsubscribe(roomKey);
      else this.#interest.subscribe(roomKey);
    }
    if (moved.length > 0) this.#emit('membership', moved);
    return moved;
  }

  #leaveLocal(roomKey: string, connId: number): void {
    try {
      this.#o.local.leave(roomKey, connId, null);
    } catch (error) {
      this.#o.log({ type: 'listener_failed', error });
    }
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

interface RouteHandlers {
  /** Runs the request on this node's shards (the callback given there settles it). */
  readonly local: () => void;
  readonly reply: (reply: RoomReply) => void;
  readonly fail: (error: Error) => void;
}

function unexpected(reply: RoomReply): RoomRouteError {
  return new RoomRouteError('ARQ_ERR_CLUSTER_MALFORMED', `unexpected owner reply ${reply.type}`);
}

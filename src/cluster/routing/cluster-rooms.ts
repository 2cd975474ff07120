import type {
  HistoryAnswer,
  HistoryQuery,
  JoinAnswer,
  PublishAnswer,
  ResumeFrom,
  RoomGateway,
} from '../../../actors/index.js';
import type { ShardDelivery } from '../../shard/index.js';
import { ClusterError } from '../base/index.js';
import { RoomHandoff } from '../handoff/index.js';
import {
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
import { OwnerChanges } from './owner-changes.js';
import { ReconnectChecks } from './reconnect-checks.js';
import { RoomCalls } from './room-calls.js';
import { RoomRouter } from './room-router.js';

type State = 'idle' | 'running' | 'leaving' | 'closed';

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
  readonly #interest: RoomInterest;
  readonly #fanIn: RoomFanIn;
  readonly #requester: RoomRequester;
  readonly #owner: RoomOwner;
  readonly #router: RoomRouter;
  readonly #handoff: RoomHandoff;
  readonly #owners: OwnerChanges;
  readonly #calls: RoomCalls;
  readonly #reconnect: ReconnectChecks;
  #state: State = 'idle';

  constructor(options: ClusterRoomsOptions) {
    this.#o = resolveClusterRoomsOptions(options);
    const o = this.#o;
    this.#self = o.membership.self;
    const self = this.#self.node;
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
    // The ring lives in #owners, made below: these callbacks read it only once requests come.
    this.#handoff = new RoomHandoff({
      connection: o.connection,
      membership: o.membership,
      local: o.local,
      owner: this.#owner,
      interest: this.#interest,
      ring: () => this.#owners.ring,
      owns: (roomKey) => this.#owns(roomKey),
      leaving: () => this.#state === 'leaving',
      timeoutMs: o.handoffTimeoutMs,
      fanMs: o.requestTimeoutMs,
      log: o.log,
      counters: this.#counters,
    });
    this.#router = new RoomRouter({
      self,
      ring: () => this.#owners.ring,
      open: () => this.#serving(),
      requester: this.#requester,
      interest: this.#interest,
      handoff: this.#handoff,
      retryMs: o.notOwnerRetryMs,
      timeoutMs: o.requestTimeoutMs,
      counters: this.#counters,
    });
    this.#owners = new OwnerChanges({
      self: this.#self,
      membership: o.membership,
      interest: this.#interest,
      owner: this.#owner,
      handoff: this.#handoff,
      open: () => this.#serving(),
      leaving: () => this.#state === 'leaving',
      log: o.log,
    });
    this.#calls = new RoomCalls({
      self: this.#self,
      local: o.local,
      router: this.#router,
      interest: this.#interest,
      fanIn: this.#fanIn,
    });
    this.#reconnect = new ReconnectChecks({
      connection: o.connection,
      active: () => this.#serving(),
      check: () => this.#fanIn.checkPositions(),
    });
  }

  get node(): string {
    return this.#self.node;
  }

  /** The room's owner by this node's current ring. */
  ownerOf(roomKey: string): string {
    return this.#owners.ring.ownerOf(roomKey);
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
    return this.#owners.on(listener);
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
    this.#owners.start();
    try {
      this.#requester.start();
      this.#owner.start();
      this.#fanIn.start();
      this.#handoff.start();
      this.#reconnect.start();
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
    this.#owners.reRing();
    await this.#handoff.idle(this.#o.handoffTimeoutMs);
  }

  /** Stops; requests in flight fail with ARQ_ERR_SHARD_STOPPED. The connection stays open. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#owners.close();
    this.#reconnect.close();
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
    this.#calls.join(roomKey, connId, since, restore, done);
  }

  leave(
    roomKey: string,
    connId: number,
    done: ((error: Error | null, reply: unknown) => void) | null,
  ): void {
    this.#calls.leave(roomKey, connId, done);
  }

  publish(
    roomKey: string,
    connId: number,
    payload: Uint8Array,
    echo: boolean,
    ingressTs: number,
    done: ((error: Error | null, reply: PublishAnswer | null) => void) | null,
  ): void {
    this.#calls.publish(roomKey, connId, payload, echo, ingressTs, done);
  }

  /** A history read, served by the room's owner (its window holds what the room keeps). */
  history(
    roomKey: string,
    query: HistoryQuery,
    done: (error: Error | null, reply: HistoryAnswer | null) => void,
  ): void {
    this.#calls.history(roomKey, query, done);
  }

  /**
   * Every delivery of this node's own shards comes here (instead of straight to the edge): the
   * edge gets it (a remote sender shows as no connection), remote members get one fan-out message,
   * and a replay for a remote joiner goes to its node.
   */
  onLocalDelivery(d: ShardDelivery): void {
    const serving = this.#serving();
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

  #serving(): boolean {
    return this.#state === 'running' || this.#state === 'leaving';
  }

  #owns(roomKey: string): boolean {
    return this.#state === 'running' && this.#owners.ring.ownerOf(roomKey) === this.#self.node;
  }
}

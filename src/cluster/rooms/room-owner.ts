import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { type JoinAnswer, roomKeyOf, roomOfKey, tenantOfKey } from '../../../actors/index.js';
import type { ShardDelivery } from '../../shard/index.js';
import { asError, ClusterError, type ClusterLog } from '../base/index.js';
import type { MemberId } from '../wire/index.js';
import {
  decodeRoomRequest,
  encodeRoomDirect,
  encodeRoomFan,
  encodeRoomReply,
  ownerPublishWildcard,
  type RoomReply,
  type RoomRequest,
  roomDirectSubject,
  roomFanoutSubject,
  roomPublishSubject,
  routeCodeOf,
} from '../wire/index.js';
import type { RoomRouteCounters } from './cluster-rooms-event.js';
import type { LocalRooms } from './cluster-rooms-options.js';
import { isProxyId, ProxyTable, type RoomProxy } from './proxy-table.js';

export interface RoomOwnerOptions {
  readonly connection: NatsConnection;
  readonly self: MemberId;
  readonly local: LocalRooms;
  /** True while this node's ring places `roomKey` here. */
  readonly owns: (roomKey: string) => boolean;
  /** True when `run` was queued because the room waits for its hand-off (HandoffInbox.defer). */
  readonly defer: (roomKey: string, run: () => void) => boolean;
  readonly log: ClusterLog;
  readonly counters: RoomRouteCounters;
}

/**
 * The owner's side of cluster rooms: serves join/leave/publish requests of remote connections for
 * the rooms this node owns, through its own shards, each remote connection standing in the room as
 * a proxy connection id (ProxyTable); publishes one fan-out message per delivery of a room that has
 * remote members; sends a remote joiner's replay to its node alone.
 *
 * Replies go out from inside the shard's reply callback, before the deliveries the room ordered
 * after them, on the one connection that also publishes those deliveries: NATS keeps that order to
 * each receiver, so a joiner's node has its reply before any later message of the room.
 */
export class RoomOwner {
  readonly #o: RoomOwnerOptions;
  readonly #proxies = new ProxyTable();
  /** Fan-out subjects of the rooms with remote members (built once per room, not per message). */
  readonly #fanSubjects = new Map<string, string>();
  /** Rooms just handed over to this node: fanned out until then, members re-joined or not. */
  readonly #fanUntil = new Map<string, number>();
  #sub: Subscription | null = null;

  constructor(options: RoomOwnerOptions) {
    this.#o = options;
  }

  get proxies(): number {
    return this.#proxies.size;
  }

  /** Rooms with remote members here. */
  rooms(): string[] {
    return this.#proxies.rooms();
  }

  /** The remote connection behind a proxy id (undefined for a local id or a freed proxy). */
  proxy(connId: number): RoomProxy | undefined {
    return isProxyId(connId) ? this.#proxies.get(connId) : undefined;
  }

  start(): void {
    const subject = ownerPublishWildcard(this.#o.self.node);
    this.#sub = this.#o.connection.subscribe(subject, {
      callback: (err, msg) => this.#onRequest(err, msg),
    });
  }

  close(): void {
    try {
      this.#sub?.unsubscribe();
    } catch {
      // the connection is closed already: the subscription went with it
    }
    this.#sub = null;
  }

  /** One fan-out message for the remote members of a live delivery (none when there are none). */
  fanOut(d: ShardDelivery): void {
    if (this.#proxies.inRoom(d.roomKey) === undefined && !this.#fanForced(d.roomKey)) {
      this.#fanSubjects.delete(d.roomKey);
      return;
    }
    let subject = this.#fanSubjects.get(d.roomKey);
    if (subject === undefined) {
      subject = roomFanoutSubject(tenantOfKey(d.roomKey), roomOfKey(d.roomKey));
      this.#fanSubjects.set(d.roomKey, subject);
    }
    const sender = this.proxy(d.connId);
    const self = this.#o.self.node;
    const bytes = encodeRoomFan({
      tenant: tenantOfKey(d.roomKey),
      room: roomOfKey(d.roomKey),
      owner: self,
      senderNode: sender?.node ?? self,
      senderConn: sender?.conn ?? (isProxyId(d.connId) ? 0 : d.connId),
      offset: d.offset,
      epoch: d.epoch,
      ts: d.ts,
      ingressTs: d.ingressTs,
      echo: d.echo,
      body: d.body,
    });
    if (this.#publish(subject, bytes)) this.#o.counters.fanSent += 1;
  }

  /**
   * Publishes the room's fan-out for `ms` even without remote members: the room was just handed
   * over, and nodes whose members have not re-joined here yet still listen on its subject.
   */
  fanFor(roomKey: string, ms: number): void {
    this.#fanUntil.set(roomKey, performance.now() + ms);
  }

  #fanForced(roomKey: string): boolean {
    const until = this.#fanUntil.get(roomKey);
    if (until === undefined) return false;
    if (performance.now() < until) return true;
    this.#fanUntil.delete(roomKey);
    return false;
  }

  /** A replay for a proxy goes to its node, for its connection there. */
  routeDirect(d: ShardDelivery): void {
    const proxy = this.proxy(d.connId);
    if (proxy === undefined) return; // its node died or it left: nobody to replay to
    const tenant = tenantOfKey(d.roomKey);
    const room = roomOfKey(d.roomKey);
    const bytes = encodeRoomDirect({
      tenant,
      room,
      conn: proxy.conn,
      offset: d.offset,
      epoch: d.epoch,
      ts: d.ts,
      ingressTs: d.ingressTs,
      body: d.body,
    });
    if (this.#publish(roomDirectSubject(tenant, proxy.node, room), bytes)) {
      this.#o.counters.directSent += 1;
    }
  }

  /** The room moved to another owner: its remote members leave it here (they re-join there). */
  dropRoom(roomKey: string): void {
    this.#fanSubjects.delete(roomKey);
    this.#fanUntil.delete(roomKey);
    for (const id of this.#proxies.dropRoom(roomKey)) this.#leaveLocal(roomKey, id);
  }

  /** A node died, left or restarted: its connections leave every room here. */
  dropMember(member: MemberId): void {
    for (const { id, rooms } of this.#proxies.dropMember(member)) {
      for (const roomKey of rooms) this.#leaveLocal(roomKey, id);
    }
  }

  /** Re-joins the remote members of the matching rooms (their shard restarted); returns how many. */
  restore(match: (roomKey: string) => boolean): number {
    let restored = 0;
    for (const roomKey of this.#proxies.rooms()) {
      if (!match(roomKey)) continue;
      for (const id of this.#proxies.inRoom(roomKey) ?? []) {
        try {
          // A failure is the shard dying again: its next start restores the room once more.
          this.#o.local.join(roomKey, id, null, true, () => {});
          restored++;
        } catch (error) {
          this.#o.log({ type: 'listener_failed', error });
        }
      }
    }
    return restored;
  }

  #onRequest(err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.#o.log({ type: 'subscription_failed', subject: msg?.subject ?? '', error: err });
      return;
    }
    let request: RoomRequest;
    try {
      request = decodeRoomRequest(msg.data);
      if (msg.subject !== roomPublishSubject(request.tenant, this.#o.self.node, request.room)) {
        throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', 'the request names another room');
      }
    } catch (error) {
      this.#o.counters.malformed += 1;
      this.#o.log({ type: 'malformed', subject: msg.subject, error: asError(error) });
      this.#respond(msg, {
        type: 'failed',
        code: 'ARQ_ERR_CLUSTER_MALFORMED',
        message: 'malformed',
      });
      return;
    }
    const roomKey = roomKeyOf(request.tenant, request.room);
    if (this.#o.defer(roomKey, () => this.#serve(msg, roomKey, request))) return;
    this.#serve(msg, roomKey, request);
  }

  /** Serves a request now (or answers NOT_OWNER: the ring moved the room since it came). */
  #serve(msg: Msg, roomKey: string, request: RoomRequest): void {
    if (!this.#o.owns(roomKey)) {
      this.#o.counters.notOwner += 1;
      this.#respond(msg, notOwner());
      return;
    }
    this.#o.counters.requestsServed += 1;
    const member: MemberId = { node: request.node, incarnation: request.incarnation };
    switch (request.type) {
      case 'join':
        return this.#join(msg, roomKey, member, request);
      case 'leave':
        return this.#leave(msg, roomKey, member, request.conn);
      case 'publish':
        return this.#publishFor(msg, roomKey, member, request);
      case 'history':
        return this.#historyFor(msg, roomKey, request);
    }
  }

  #join(
    msg: Msg,
    roomKey: string,
    member: MemberId,
    request: Extract<RoomRequest, { type: 'join' }>,
  ): void {
    const proxy = this.#proxies.hold(member, request.conn);
    try {
      this.#o.local.join(roomKey, proxy.id, request.since, request.restore, (error, reply) => {
        if (error !== null || reply === null) {
          this.#proxies.settle(proxy, roomKey, null);
          this.#respond(msg, failed(error));
        } else if (!this.#o.owns(roomKey)) {
          // The room moved away while the join was in flight: undo it; the asker goes elsewhere.
          this.#proxies.settle(proxy, roomKey, 'left');
          this.#leaveLocal(roomKey, proxy.id);
          this.#o.counters.notOwner += 1;
          this.#respond(msg, notOwner());
        } else if (!this.#proxies.settle(proxy, roomKey, 'joined')) {
          // Its node was declared gone meanwhile: it must not linger in the room.
          this.#leaveLocal(roomKey, proxy.id);
          this.#respond(msg, { type: 'failed', code: 'ARQ_ERR_SHARD_DOWN', message: 'node gone' });
        } else {
          this.#respond(msg, joined(reply));
        }
      });
    } catch (error) {
      this.#proxies.settle(proxy, roomKey, null);
      this.#respond(msg, failed(error));
    }
  }

  #leave(msg: Msg, roomKey: string, member: MemberId, conn: number): void {
    if (this.#proxies.find(member, conn) === undefined) {
      this.#respond(msg, {
        type: 'failed',
        code: 'ARQ_ERR_NOT_JOINED',
        message: 'not a member of this room',
      });
      return;
    }
    const proxy = this.#proxies.hold(member, conn);
    try {
      this.#o.local.leave(roomKey, proxy.id, (error) => {
        // Whatever the room said (it may have restarted without it), the proxy is out.
        this.#proxies.settle(proxy, roomKey, 'left');
        this.#respond(msg, error === null ? { type: 'left' } : failed(error));
      });
    } catch (error) {
      this.#proxies.settle(proxy, roomKey, 'left');
      this.#respond(msg, failed(error));
    }
  }

  #publishFor(
    msg: Msg,
    roomKey: string,
    member: MemberId,
    request: Extract<RoomRequest, { type: 'publish' }>,
  ): void {
    // A sender that is no member here publishes as "no connection": it receives nothing here, so
    // `echo` cannot concern it.
    const id = this.#proxies.find(member, request.conn)?.id ?? 0;
    try {
      this.#o.local.publish(
        roomKey,
        id,
        request.payload,
        request.echo,
        request.ingressTs,
        (error, reply) => {
          if (error !== null || reply === null) this.#respond(msg, failed(error));
          else this.#respond(msg, { type: 'published', id: reply.id, offset: reply.offset });
        },
      );
    } catch (error) {
      this.#respond(msg, failed(error));
    }
  }

  /** A read: no proxy (nobody joins), the asking node checked the right to join the room. */
  #historyFor(msg: Msg, roomKey: string, request: Extract<RoomRequest, { type: 'history' }>): void {
    try {
      this.#o.local.history(roomKey, request.query, (error, answer) => {
        if (error !== null || answer === null) this.#respond(msg, failed(error));
        else this.#respond(msg, { type: 'history', answer });
      });
    } catch (error) {
      this.#respond(msg, failed(error));
    }
  }

  #leaveLocal(roomKey: string, id: number): void {
    try {
      this.#o.local.leave(roomKey, id, null);
    } catch (error) {
      // The shard pool is down: the room and its members went with it.
      this.#o.log({ type: 'listener_failed', error });
    }
  }

  #respond(msg: Msg, reply: RoomReply): void {
    if (!msg.reply) return;
    this.#publish(msg.reply, encodeRoomReply(reply));
  }

  #publish(subject: string, bytes: Uint8Array): boolean {
    try {
      this.#o.connection.publish(subject, bytes);
      return true;
    } catch (error) {
      this.#o.log({ type: 'publish_failed', subject, error: asError(error) });
      return false;
    }
  }
}

function joined(reply: JoinAnswer): RoomReply {
  return {
    type: 'joined',
    epoch: reply.epoch,
    offset: reply.offset,
    recovered: reply.recovered !== false,
  };
}

function failed(error: unknown): RoomReply {
  const e = error as { code?: unknown; message?: unknown } | null;
  return {
    type: 'failed',
    code: routeCodeOf(e?.code),
    message: typeof e?.message === 'string' ? e.message : 'the room did not answer',
  };
}

function notOwner(): RoomReply {
  return { type: 'failed', code: 'ARQ_ERR_NOT_OWNER', message: 'this node does not own the room' };
}

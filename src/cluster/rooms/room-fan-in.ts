import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { roomKeyOf, roomOfKey, tenantOfKey } from '../../../actors/index.js';
import type { ShardDelivery } from '../../shard/index.js';
import { asError, ClusterError, type ClusterLog } from '../base/index.js';
import {
  decodeRoomDirect,
  decodeRoomFan,
  encodeRoomReply,
  nodeDirectWildcard,
  roomDirectSubject,
  roomFanoutSubject,
} from '../wire/index.js';
import type { RoomRouteCounters } from './cluster-rooms-event.js';
import { FanInBatcher } from './fan-in-batcher.js';
import { type HistoryFetch, type JoinedAt, RoomGapFill } from './room-gap-fill.js';

export interface RoomFanInOptions {
  readonly connection: NatsConnection;
  /** This node's id. */
  readonly self: string;
  readonly deliver: (delivery: ShardDelivery) => void;
  /** See FanInBatcher; 0 hands every delivery to the edge at once. */
  readonly lingerMs: number;
  readonly log: ClusterLog;
  readonly counters: RoomRouteCounters;
  /** Reads a room's history from its owner, to fill a gap in its offsets (RoomGapFill). */
  readonly fetch: HistoryFetch;
}

const MALFORMED_REPLY = encodeRoomReply({
  type: 'failed',
  code: 'ARQ_ERR_CLUSTER_MALFORMED',
  message: 'malformed',
});

/**
 * What other nodes' rooms send this node, handed to its edge: fan-out messages of the rooms it
 * has members in (one subscription per room, opened by RoomInterest through `subscribe`) and
 * replays for its joiners (one wildcard subscription). Every message is checked against the
 * subject it came on; a bad one is counted, logged and dropped (answered, if it asks for a reply).
 * Every room message passes RoomGapFill on its way to the batcher: a remote room's offsets are
 * checked, and what was lost on the way is fetched from the owner and handed on first.
 */
export class RoomFanIn {
  readonly #o: RoomFanInOptions;
  readonly #batcher: FanInBatcher;
  readonly #gaps: RoomGapFill;
  #directSub: Subscription | null = null;

  constructor(options: RoomFanInOptions) {
    this.#o = options;
    this.#batcher = new FanInBatcher((d) => this.#toEdge(d), options.lingerMs);
    this.#gaps = new RoomGapFill({
      fetch: options.fetch,
      deliver: (d, transient) => this.#batcher.push(d, transient),
      flush: () => this.#batcher.flush(),
      log: options.log,
      counters: options.counters,
    });
  }

  /** Rooms whose messages wait for a gap fill right now. */
  get filling(): number {
    return this.#gaps.filling;
  }

  /** Deliveries held for a batch (see FanInBatcher). */
  get queued(): number {
    return this.#batcher.queued;
  }

  start(): void {
    this.#directSub = this.#o.connection.subscribe(nodeDirectWildcard(this.#o.self), {
      callback: (err, msg) => this.#onDirect(err, msg),
    });
  }

  close(): void {
    this.#gaps.close();
    this.#batcher.flush();
    try {
      this.#directSub?.unsubscribe();
    } catch {
      // the connection is closed already: the subscription went with it
    }
    this.#directSub = null;
  }

  /** Opens `roomKey`'s fan-out subscription; null when the connection refuses. */
  subscribe(roomKey: string): Subscription | null {
    const subject = roomFanoutSubject(tenantOfKey(roomKey), roomOfKey(roomKey));
    try {
      return this.#o.connection.subscribe(subject, {
        callback: (err, msg) => this.#onFan(roomKey, err, msg),
      });
    } catch (error) {
      this.#o.log({ type: 'subscription_failed', subject, error: asError(error) });
      return null;
    }
  }

  /**
   * A delivery of this node's own shards, to the edge now or with the next batch; `transient`: its
   * body is only valid during this call (a shard's ring), so a held delivery keeps a copy.
   */
  local(d: ShardDelivery, transient: boolean): void {
    if (d.direct) this.#gaps.direct(d, transient);
    else this.#gaps.local(d, transient);
  }

  /** A join was answered at `at`; `run` finishes it once what the room holds has gone first. */
  joined(roomKey: string, at: JoinedAt, remote: boolean, run: () => void): void {
    this.#gaps.joined(roomKey, at, remote, run);
  }

  /**
   * Runs `run` once every delivery held for `roomKey` is at the edge: before a reply lets a client
   * act on the room.
   */
  after(roomKey: string, run: () => void): void {
    this.#gaps.after(roomKey, run);
  }

  /** The room has no local member any more: its offsets are no longer followed. */
  forget(roomKey: string): void {
    this.#gaps.forget(roomKey);
  }

  /** Every followed remote room asks its owner for its position (a lost last message). */
  checkPositions(): void {
    this.#gaps.check();
  }

  /** Where `roomKey` is here (its last offset handed to the edge), or null if not followed. */
  position(roomKey: string): { readonly epoch: string; readonly offset: number } | null {
    return this.#gaps.position(roomKey);
  }

  /** The edge failing on one delivery must not stop the rest of a batch or a read. */
  #toEdge(d: ShardDelivery): void {
    try {
      this.#o.deliver(d);
    } catch (error) {
      this.#o.log({ type: 'listener_failed', error });
    }
  }

  #onFan(roomKey: string, err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.#o.log({ type: 'subscription_failed', subject: msg?.subject ?? roomKey, error: err });
      return;
    }
    let fan: ReturnType<typeof decodeRoomFan>;
    try {
      fan = decodeRoomFan(msg.data);
      if (roomKeyOf(fan.tenant, fan.room) !== roomKey) {
        throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', 'the fan-out names another room');
      }
    } catch (error) {
      this.#malformed(msg, error);
      return;
    }
    const self = this.#o.self;
    if (fan.owner === self) {
      this.#o.counters.fanOwnEchoes += 1; // delivered locally when it was published
      return;
    }
    this.#o.counters.fanReceived += 1;
    this.#gaps.remote({
      roomKey,
      offset: fan.offset,
      epoch: fan.epoch,
      ts: fan.ts,
      ingressTs: fan.ingressTs,
      // The sender's own connection is left out (echo: false) only by the node it is on.
      connId: fan.senderNode === self ? fan.senderConn : 0,
      echo: fan.echo,
      direct: false,
      body: fan.body,
    });
  }

  #onDirect(err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.#o.log({ type: 'subscription_failed', subject: msg?.subject ?? '', error: err });
      return;
    }
    let direct: ReturnType<typeof decodeRoomDirect>;
    try {
      direct = decodeRoomDirect(msg.data);
      if (msg.subject !== roomDirectSubject(direct.tenant, this.#o.self, direct.room)) {
        throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', 'the message names another room');
      }
    } catch (error) {
      this.#malformed(msg, error);
      return;
    }
    this.#o.counters.directReceived += 1;
    this.#gaps.direct(
      {
        roomKey: roomKeyOf(direct.tenant, direct.room),
        offset: direct.offset,
        epoch: direct.epoch,
        ts: direct.ts,
        ingressTs: direct.ingressTs,
        connId: direct.conn,
        echo: true,
        direct: true,
        body: direct.body,
      },
      false,
    );
  }

  #malformed(msg: Msg, error: unknown): void {
    this.#o.counters.malformed += 1;
    this.#o.log({ type: 'malformed', subject: msg.subject, error: asError(error) });
    if (!msg.reply) return;
    try {
      msg.respond(MALFORMED_REPLY);
    } catch {
      // the connection is closing: nobody to tell
    }
  }
}

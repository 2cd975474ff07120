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

export interface RoomFanInOptions {
  readonly connection: NatsConnection;
  /** This node's id. */
  readonly self: string;
  readonly deliver: (delivery: ShardDelivery) => void;
  /** See FanInBatcher; 0 hands every delivery to the edge at once. */
  readonly lingerMs: number;
  readonly log: ClusterLog;
  readonly counters: RoomRouteCounters;
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
 */
export class RoomFanIn {
  readonly #o: RoomFanInOptions;
  readonly #batcher: FanInBatcher;
  #directSub: Subscription | null = null;

  constructor(options: RoomFanInOptions) {
    this.#o = options;
    this.#batcher = new FanInBatcher((d) => this.#toEdge(d), options.lingerMs);
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
   * Hands a delivery to the edge, now or with the next batch; `transient`: its body is only valid
   * during this call (a shard's ring), so a held delivery keeps a copy.
   */
  deliver(d: ShardDelivery, transient: boolean): void {
    this.#batcher.push(d, transient);
  }

  /** Hands every held delivery to the edge now: before a reply lets a client act on the room. */
  flush(): void {
    this.#batcher.flush();
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
    this.deliver(
      {
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
      },
      false,
    );
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
    this.deliver(
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

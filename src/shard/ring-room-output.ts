import type {
  HistoryAnswer,
  RoomDelivery,
  RoomOutput,
  RoomReplyError,
  RoomState,
} from '../../actors/index.js';
import { EnvelopeKind, type ThreadChannel } from '../transport/index.js';
import { DeliveryEncoder } from './delivery-encoder.js';
import { RoomKeyBytes } from './room-key-bytes.js';
import { encodeControl, encodeJson, FLAG_DIRECT, FLAG_ECHO, FLAG_ERROR } from './shard-wire.js';

const EMPTY = new Uint8Array(0);

/**
 * RoomOutput over the shard's ring to the edge. A send that cannot even be queued (the edge stopped
 * reading and the queue is full) throws: the room actor crashes, the shard reports room-down and
 * the edge answers its members' pending requests with errors; nothing vanishes silently.
 */
export class RingRoomOutput implements RoomOutput {
  readonly #channel: ThreadChannel;
  readonly #keys = new RoomKeyBytes();
  readonly #deliveries = new DeliveryEncoder();

  constructor(channel: ThreadChannel) {
    this.#channel = channel;
  }

  reply(corr: number, body: unknown): void {
    this.#channel.send(
      { kind: EnvelopeKind.Reply, flags: 0, connId: 0, roomId: 0, correlationId: corr, value: 0 },
      EMPTY,
      encodeJson(body),
    );
  }

  replyError(corr: number, code: RoomReplyError, message: string): void {
    this.#channel.send(
      {
        kind: EnvelopeKind.Reply,
        flags: FLAG_ERROR,
        connId: 0,
        roomId: 0,
        correlationId: corr,
        value: 0,
      },
      EMPTY,
      encodeJson({ code, message }),
    );
  }

  /** A publish denied by a policy in this shard: the reason, and whether to drop the sender. */
  replyDenied(corr: number, reason: string, disconnect: boolean): void {
    const code = disconnect ? 'policy_disconnect' : 'policy_denied';
    this.#channel.send(
      {
        kind: EnvelopeKind.Reply,
        flags: FLAG_ERROR,
        connId: 0,
        roomId: 0,
        correlationId: corr,
        value: 0,
      },
      EMPTY,
      encodeJson({ code, message: reason }),
    );
  }

  deliver(delivery: RoomDelivery): void {
    this.#send(delivery, delivery.senderConn, delivery.echo ? FLAG_ECHO : 0);
  }

  deliverTo(connId: number, delivery: RoomDelivery): void {
    this.#send(delivery, connId, FLAG_DIRECT);
  }

  /** A history page for the edge: a Control answer (v8: the payloads travel as bytes). */
  history(corr: number, answer: HistoryAnswer): void {
    this.#channel.send(
      { kind: EnvelopeKind.Control, flags: 0, connId: 0, roomId: 0, correlationId: corr, value: 0 },
      EMPTY,
      encodeControl({ type: 'history', answer }),
    );
  }

  /** A room's state for the edge (it moves to another node): a Control answer to `export`. */
  exported(corr: number, state: RoomState): void {
    this.#channel.send(
      { kind: EnvelopeKind.Control, flags: 0, connId: 0, roomId: 0, correlationId: corr, value: 0 },
      EMPTY,
      encodeControl({ type: 'exported', state }),
    );
  }

  /** Forgets a stopped room's cached key bytes. */
  forget(roomKey: string): void {
    this.#keys.forget(roomKey);
  }

  #send(delivery: RoomDelivery, connId: number, flags: number): void {
    this.#channel.send(
      {
        kind: EnvelopeKind.Delivery,
        flags,
        connId,
        roomId: 0,
        correlationId: 0,
        value: delivery.offset,
      },
      this.#keys.of(delivery.roomKey),
      this.#deliveries.encode(delivery.ts, delivery.ingressTs, delivery.epoch, delivery.payload),
    );
  }
}

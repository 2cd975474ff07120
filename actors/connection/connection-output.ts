import {
  CLOSE_POLICY_DROP,
  type EncodedMessage,
  encodeBinaryFrame,
  encodeTextFrame,
  errorAnswer,
  type FrameEncoding,
  type JsonObject,
  type ServerFrame,
  WireError,
} from '../../proto/wire/index.js';
import type { ConnectionMetrics } from './connection-host.js';
import type { ConnectionSocket } from './connection-socket.js';
import { type TopicEncoding, type TopicKind, topicOf } from './room-key.js';
import type { Membership } from './room-memberships.js';

/**
 * What one connection writes to its socket: answers and frames for it alone (each counted in the
 * metrics), the close, and the topics that bring it room messages and presence. It keeps the connection's frame
 * encoding (room topics follow it) and writes nothing once the socket is gone (`detach`), so the
 * connection's parts share one output instead of each holding the socket, metrics and encoding.
 */
export class ConnectionOutput {
  readonly #socket: ConnectionSocket;
  readonly #metrics: ConnectionMetrics;
  #encoding: FrameEncoding = 'json';
  #detached = false;

  constructor(socket: ConnectionSocket, metrics: ConnectionMetrics) {
    this.#socket = socket;
    this.#metrics = metrics;
  }

  /** The encoding the client used last: room messages and presence are sent in it. */
  get encoding(): FrameEncoding {
    return this.#encoding;
  }
  /** The socket is gone: late answers are dropped. */
  get detached(): boolean {
    return this.#detached;
  }

  /** The socket closed: nothing more is written to it. */
  detach(): void {
    this.#detached = true;
  }

  /** Closes the socket from the server side (the socket's close event follows). */
  end(code: number, reason: string): void {
    if (this.#detached) return;
    this.#metrics.closed(code);
    this.#socket.end(code, reason);
  }

  bufferedAmount(): number {
    return this.#socket.bufferedAmount();
  }

  send(frame: ServerFrame, encoding: FrameEncoding): void {
    if (this.#detached) return;
    this.#socket.send(encoding === 'json' ? encodeTextFrame(frame) : encodeBinaryFrame(frame));
    this.#metrics.messagesOut(1);
  }

  /** An `ok` reply, when the frame asked for one (has a `ref`). */
  reply(ref: string | undefined, body: JsonObject, encoding: FrameEncoding): void {
    if (ref !== undefined) this.send({ op: 'reply', ref, status: 'ok', body }, encoding);
  }

  reject(ref: string | undefined, error: WireError, encoding: FrameEncoding): void {
    this.#metrics.rejected(error.code);
    this.send(errorAnswer(ref, error), encoding);
  }

  /** A policy denied a join, publish or read: answer `policy_denied`, and close with 4003 if asked. */
  deny(
    ref: string | undefined,
    reason: string,
    disconnect: boolean,
    encoding: FrameEncoding,
  ): void {
    this.reject(ref, new WireError('policy_denied', reason), encoding);
    if (disconnect) this.end(CLOSE_POLICY_DROP, 'dropped by policy');
  }

  /** A room message for this connection alone, in its current encoding. */
  deliver(message: EncodedMessage): void {
    if (this.#detached) return;
    this.#socket.send(message.encoded(this.#encoding));
    this.#metrics.messagesOut(1);
  }

  /** A frame encoded elsewhere, as text (a `history` reply). */
  sendText(frame: string): void {
    if (this.#detached) return;
    this.#socket.send(frame);
    this.#metrics.messagesOut(1);
  }

  /** Bytes encoded elsewhere (a shared presence state), as a text or binary frame. */
  sendBytes(bytes: Uint8Array, binary: boolean): void {
    if (this.#detached) return;
    this.#socket.sendBytes(bytes, binary);
    this.#metrics.messagesOut(1);
  }

  /** Subscribes to a room's topic of `kind` in the current encoding. */
  subscribe(kind: TopicKind, roomKey: string): void {
    this.#socket.subscribe(topicOf(kind, topicEncodingOf(this.#encoding), roomKey));
  }

  unsubscribe(kind: TopicKind, roomKey: string): void {
    this.#socket.unsubscribe(topicOf(kind, topicEncodingOf(this.#encoding), roomKey));
  }

  /** Room messages and presence follow the encoding the client used last (docs/protocol.md, "Frames"). */
  switchEncoding(encoding: FrameEncoding, memberships: Iterable<Membership>): void {
    const from = topicEncodingOf(this.#encoding);
    const to = topicEncodingOf(encoding);
    this.#encoding = encoding;
    for (const membership of memberships) {
      const roomKey = membership.roomKey;
      this.#socket.unsubscribe(topicOf('m', from, roomKey));
      this.#socket.subscribe(topicOf('m', to, roomKey));
      if (membership.presence) {
        this.#socket.unsubscribe(topicOf('p', from, roomKey));
        this.#socket.subscribe(topicOf('p', to, roomKey));
      }
    }
  }
}

/** A topic's encoding letter: JSON members' topic `j`, protobuf members' `b` (see topicOf). */
function topicEncodingOf(encoding: FrameEncoding): TopicEncoding {
  return encoding === 'json' ? 'j' : 'b';
}

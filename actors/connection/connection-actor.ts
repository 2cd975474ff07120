import { isValidRoomName, type Principal, principalMayAccess } from '../../src/auth/index.js';
import { TokenBucket } from '../../src/limits/index.js';
import {
  CLOSE_POLICY_VIOLATION,
  CLOSE_SLOW_CONSUMER,
  CLOSE_TOKEN_EXPIRED,
  type ClientFrame,
  decodeBinaryFrame,
  decodeTextFrameBytes,
  type EncodedMessage,
  encodeBinaryFrame,
  encodeTextFrame,
  errorAnswer,
  type FrameEncoding,
  type JoinFrame,
  type JsonObject,
  type PublishFrame,
  type ServerFrame,
  toWireError,
  WireError,
} from '../../src/protocol/index.js';
import type { ConnectionHost } from './connection-host.js';
import type { ConnectionSocket } from './connection-socket.js';
import { encodePublishPayload } from './publish-payload.js';
import { roomKeyOf, topicOf } from './room-key.js';
import { toWirePresences } from './wire-presences.js';

/**
 * upgrading -> authenticating happen in the edge's upgrade handler, before this actor exists (a bad
 * token never gets a socket). open: frames flow. draining: the node is stopping; nothing new is
 * accepted. closed: the socket is gone; late answers from rooms are undone (a late join is left).
 */
export type ConnectionState = 'open' | 'draining' | 'closed';

interface Membership {
  readonly room: string;
  readonly meta: JsonObject;
  readonly onlineAt: number;
  /** Subscribed to presence topics (the token has the `presence` cap). */
  readonly presence: boolean;
}

const BAD_FRAME_WINDOW_MS = 60_000;

/**
 * One WebSocket connection: decodes its frames, checks them against its token and limits, talks to
 * rooms through the host, and keeps its memberships so it can restore them when a room's shard
 * restarts. uWS already runs one socket's callbacks one at a time on the edge thread; this object is
 * the actor's state and behaviour, without a mailbox of its own (see ARCHITECTURE.md).
 */
export class ConnectionActor {
  readonly #id: number;
  readonly #publicId: string;
  readonly #socket: ConnectionSocket;
  readonly #host: ConnectionHost;
  readonly #rooms = new Map<string, Membership>();
  readonly #joining = new Set<string>();
  readonly #publishBucket: TokenBucket;
  readonly #badFrames: TokenBucket;
  #principal: Principal;
  #state: ConnectionState = 'open';
  #encoding: FrameEncoding = 'json';

  constructor(
    id: number,
    principal: Principal,
    socket: ConnectionSocket,
    host: ConnectionHost,
    nowMs: number,
  ) {
    this.#id = id;
    this.#publicId = `${host.nodeId}.${id.toString(36)}`;
    this.#principal = principal;
    this.#socket = socket;
    this.#host = host;
    const limits = host.limits;
    this.#publishBucket = new TokenBucket(limits.publishRate, limits.publishBurst, nowMs);
    this.#badFrames = new TokenBucket(
      (limits.badFrameBudget * 1000) / BAD_FRAME_WINDOW_MS,
      limits.badFrameBudget,
      nowMs,
    );
  }

  get id(): number {
    return this.#id;
  }
  get publicId(): string {
    return this.#publicId;
  }
  get state(): ConnectionState {
    return this.#state;
  }
  get tenant(): string {
    return this.#principal.tenant;
  }
  get roomCount(): number {
    return this.#rooms.size;
  }

  /** The socket is open: greet the client (always JSON: its encoding is not known yet). */
  opened(): void {
    this.#send(
      {
        op: 'welcome',
        node: this.#host.nodeId,
        conn: this.#publicId,
        tenant: this.#principal.tenant,
        sub: this.#principal.sub,
        heartbeatMs: this.#host.limits.heartbeatMs,
      },
      'json',
    );
  }

  /** One frame from the client. Never throws: every problem becomes an answer or a close. */
  received(bytes: Uint8Array, binary: boolean, nowMs: number): void {
    if (this.#state !== 'open') return;
    this.#host.metrics.messageIn();
    const encoding: FrameEncoding = binary ? 'binary' : 'json';
    if (bytes.length > this.#host.limits.maxFrameBytes) {
      this.#reject(
        undefined,
        new WireError('too_large', `frame over ${this.#host.limits.maxFrameBytes} bytes`),
        encoding,
      );
      return;
    }
    const decoded = binary ? decodeBinaryFrame(bytes) : decodeTextFrameBytes(bytes);
    if (!decoded.ok) {
      this.#reject(decoded.ref, decoded.error, encoding);
      if (!this.#badFrames.tryTake(nowMs))
        this.close(CLOSE_POLICY_VIOLATION, 'too many bad frames');
      return;
    }
    if (encoding !== this.#encoding) this.#switchEncoding(encoding);
    try {
      this.#dispatch(decoded.frame, nowMs);
    } catch (err) {
      this.#reject(decoded.frame.ref, toWireError(err), encoding);
    }
  }

  /** Periodic checks from the edge: token expiry and a client that does not read. */
  tick(nowMs: number): void {
    if (this.#state !== 'open') return;
    const expiresAt = this.#principal.expiresAtMs;
    if (expiresAt !== null && nowMs >= expiresAt) {
      this.close(CLOSE_TOKEN_EXPIRED, 'token expired');
    } else if (this.#socket.bufferedAmount() > this.#host.limits.maxSendBufferBytes) {
      this.close(CLOSE_SLOW_CONSUMER, 'slow consumer');
    }
  }

  /** Closes the socket from the server side; `closed()` follows from the socket's close event. */
  close(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#host.metrics.closed(code);
    this.#socket.end(code, reason);
  }

  /** The node is draining: accept nothing new, then close with `code`. */
  drain(code: number, reason: string): void {
    if (this.#state !== 'open') return;
    this.#state = 'draining';
    this.close(code, reason);
  }

  /** The socket is gone (any side closed it): leave every room, drop presence. */
  closed(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    for (const roomKey of this.#rooms.keys()) this.#host.rooms.leave(roomKey, this.#id, null);
    this.#rooms.clear();
    this.#host.presence.leaveConn(this.#publicId);
    this.#host.released(this.#id, this.#principal.tenant);
  }

  /** The room's shard restarted (or the room crashed): join again quietly, keeping the stream going. */
  restore(roomKey: string): void {
    if (this.#state === 'closed' || !this.#rooms.has(roomKey)) return;
    this.#host.rooms.join(roomKey, this.#id, null, true, (error) => {
      if (error !== null && this.#state !== 'closed') {
        // The shard died again before answering; its next start will restore us once more.
      }
    });
  }

  /** A message for this connection alone (a replay after `join` with `since`). */
  deliver(message: EncodedMessage): void {
    if (this.#state === 'closed') return;
    this.#socket.send(message.encoded(this.#encoding));
    this.#host.metrics.messagesOut(1);
  }

  /** Every room key this connection is in (for restores and for the cluster's interest set). */
  roomKeys(): IterableIterator<string> {
    return this.#rooms.keys();
  }

  #dispatch(frame: ClientFrame, nowMs: number): void {
    switch (frame.op) {
      case 'join':
        return this.#join(frame, nowMs);
      case 'leave':
        return this.#leave(frame.room, frame.ref);
      case 'publish':
        return this.#publish(frame, nowMs);
      case 'ping':
        return this.#reply(frame.ref, { ts: Date.now() });
      case 'refresh':
        return this.#refresh(frame.token, frame.ref);
    }
  }

  #join(frame: JoinFrame, nowMs: number): void {
    const roomKey = this.#authorize(frame.room);
    if (
      !this.#rooms.has(roomKey) &&
      this.#rooms.size + this.#joining.size >= this.#host.limits.maxRoomsPerConnection
    ) {
      throw new WireError(
        'forbidden',
        `at most ${this.#host.limits.maxRoomsPerConnection} rooms per connection`,
      );
    }
    const encoding = this.#encoding;
    const ref = frame.ref;
    const meta = frame.meta ?? {};
    const presence = this.#principal.caps.has('presence');
    this.#joining.add(roomKey);
    this.#host.rooms.join(roomKey, this.#id, frame.since ?? null, false, (error, reply) => {
      this.#joining.delete(roomKey);
      if (this.#state === 'closed') {
        if (error === null) this.#host.rooms.leave(roomKey, this.#id, null);
        return;
      }
      if (error !== null || reply === null) {
        this.#reject(ref, toWireError(error), encoding);
        return;
      }
      const known = this.#rooms.get(roomKey);
      const onlineAt = known?.onlineAt ?? nowMs;
      this.#rooms.set(roomKey, { room: frame.room, meta, onlineAt, presence });
      // Subscribed before anything else is read off the ring: no live message can slip past.
      this.#socket.subscribe(topicOf('m', encoding === 'json' ? 'j' : 'b', roomKey));
      const body: JsonObject = { epoch: reply.epoch, offset: reply.offset };
      if (reply.recovered === false) body.recovered = false;
      this.#reply(ref, body);
      if (!presence) return;
      // Others learn of the join by diff; the joiner gets the full state (itself included) once.
      this.#host.presence.join(roomKey, this.#principal.sub, this.#publicId, meta, onlineAt);
      this.#send(
        {
          op: 'presence_state',
          room: frame.room,
          presences: toWirePresences(this.#host.presence.list(roomKey)),
        },
        this.#encoding,
      );
      this.#socket.subscribe(topicOf('p', this.#encoding === 'json' ? 'j' : 'b', roomKey));
    });
  }

  #leave(room: string, ref: string | undefined): void {
    const roomKey = roomKeyOf(this.#principal.tenant, room);
    const membership = this.#rooms.get(roomKey);
    if (membership === undefined) throw new WireError('not_joined', 'not joined to this room');
    this.#rooms.delete(roomKey);
    const enc = this.#encoding === 'json' ? 'j' : 'b';
    this.#socket.unsubscribe(topicOf('m', enc, roomKey));
    if (membership.presence) {
      this.#socket.unsubscribe(topicOf('p', enc, roomKey));
      this.#host.presence.leave(roomKey, this.#publicId);
    }
    this.#host.rooms.leave(roomKey, this.#id, null);
    this.#reply(ref, {});
  }

  #publish(frame: PublishFrame, nowMs: number): void {
    const roomKey = this.#authorize(frame.room);
    if (!this.#principal.caps.has('publish'))
      throw new WireError('forbidden', 'the token lacks the publish capability');
    if (!this.#publishBucket.tryTake(nowMs))
      throw new WireError('rate_limited', 'connection publish rate exceeded');
    if (!this.#host.tenantMayPublish(this.#principal.tenant, nowMs)) {
      this.#publishBucket.refund();
      throw new WireError('rate_limited', 'tenant publish rate exceeded');
    }
    const payload = encodePublishPayload(
      this.#principal.sub,
      frame.headers,
      frame.dataFormat,
      frame.data,
    );
    const encoding = this.#encoding;
    const ref = frame.ref;
    this.#host.rooms.publish(roomKey, this.#id, payload, frame.echo, nowMs, (error, reply) => {
      if (ref === undefined || this.#state === 'closed') return;
      if (error !== null || reply === null) this.#reject(ref, toWireError(error), encoding);
      else
        this.#send(
          { op: 'reply', ref, status: 'ok', body: { id: reply.id, offset: reply.offset } },
          encoding,
        );
    });
  }

  #refresh(token: string, ref: string | undefined): void {
    const encoding = this.#encoding;
    this.#host.verify(token).then(
      (principal) => {
        if (this.#state === 'closed') return;
        if (principal.sub !== this.#principal.sub || principal.tenant !== this.#principal.tenant) {
          this.#reject(
            ref,
            new WireError('forbidden', 'a refreshed token must have the same sub and tid'),
            encoding,
          );
          return;
        }
        this.#principal = principal;
        this.#reply(ref, {}, encoding);
      },
      (error: unknown) => {
        if (this.#state !== 'closed') this.#reject(ref, toWireError(error), encoding);
      },
    );
  }

  /** The room's key if the token may use it; throws the wire error otherwise. */
  #authorize(room: string): string {
    if (!isValidRoomName(room)) throw new WireError('bad_frame', 'room: not a valid room name');
    if (!principalMayAccess(this.#principal, room)) {
      throw new WireError('forbidden', 'the token does not allow this room');
    }
    return roomKeyOf(this.#principal.tenant, room);
  }

  /** Room messages and presence follow the encoding the client used last (PROTOCOL.md §2). */
  #switchEncoding(encoding: FrameEncoding): void {
    const from = this.#encoding === 'json' ? 'j' : 'b';
    const to = encoding === 'json' ? 'j' : 'b';
    this.#encoding = encoding;
    for (const [roomKey, membership] of this.#rooms) {
      this.#socket.unsubscribe(topicOf('m', from, roomKey));
      this.#socket.subscribe(topicOf('m', to, roomKey));
      if (membership.presence) {
        this.#socket.unsubscribe(topicOf('p', from, roomKey));
        this.#socket.subscribe(topicOf('p', to, roomKey));
      }
    }
  }

  #reply(
    ref: string | undefined,
    body: JsonObject,
    encoding: FrameEncoding = this.#encoding,
  ): void {
    if (ref !== undefined) this.#send({ op: 'reply', ref, status: 'ok', body }, encoding);
  }

  #reject(ref: string | undefined, error: WireError, encoding: FrameEncoding): void {
    this.#host.metrics.rejected(error.code);
    this.#send(errorAnswer(ref, error), encoding);
  }

  #send(frame: ServerFrame, encoding: FrameEncoding): void {
    if (this.#state === 'closed') return;
    this.#socket.send(encoding === 'json' ? encodeTextFrame(frame) : encodeBinaryFrame(frame));
    this.#host.metrics.messagesOut(1);
  }
}

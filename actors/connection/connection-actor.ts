import {
  CLOSE_POLICY_DROP,
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
  type HistoryFrame,
  historyBodyText,
  historyReplyText,
  isValidRoomName,
  type JoinFrame,
  type JsonObject,
  type PublishFrame,
  type ServerFrame,
  toWireError,
  WireError,
} from '../../proto/wire/index.js';
import { TokenBucket } from '../limits/index.js';
import type { ResumeFrom } from '../room/index.js';
import type { ConnectionHost, JoinAnswer } from './connection-host.js';
import { type ConnectionPrincipal, principalMayAccess } from './connection-principal.js';
import type { ConnectionSocket } from './connection-socket.js';
import { messageDeliveryOf } from './message-delivery.js';
import { encodePublishPayload, encodeSender } from './publish-payload.js';
import { roomKeyOf, topicOf } from './room-key.js';
import { RoomMemberships } from './room-memberships.js';
import { RoomOps } from './room-ops.js';

/**
 * upgrading -> authenticating happen in the edge's upgrade handler, before this actor exists (a bad
 * token never gets a socket). open: frames flow. draining: the node is stopping; nothing new is
 * accepted. closed: the socket is gone; late answers from rooms are undone (a late join is left).
 */
export type ConnectionState = 'open' | 'draining' | 'closed';

const BAD_FRAME_WINDOW_MS = 60_000;
/** The meta of a join without one: shared by every such membership (presence never mutates metas). */
const EMPTY_META: JsonObject = Object.freeze({}) as JsonObject;

/**
 * One WebSocket connection: decodes its frames, checks them against its token and limits, talks to
 * rooms through the host, and keeps its memberships so it can restore them when a room's shard
 * restarts. uWS already runs one socket's callbacks one at a time on the edge thread; this object is
 * the actor's state and behaviour, without a mailbox of its own (see ARCHITECTURE.md).
 *
 * An idle node holds many of these, so what only some connections use is made on first use: the
 * rate buckets (a new bucket is full, as one made at connect time would be by then), the map of
 * ops in flight, and a `Map` of rooms only from the second room on (see ARCHITECTURE.md, memory).
 */
export class ConnectionActor {
  readonly #id: number;
  readonly #socket: ConnectionSocket;
  readonly #host: ConnectionHost;
  readonly #rooms = new RoomMemberships();
  readonly #ops = new RoomOps();
  #publishBucket: TokenBucket | null = null;
  #historyBucket: TokenBucket | null = null;
  #badFrames: TokenBucket | null = null;
  #principal: ConnectionPrincipal;
  /**
   * The room this connection last published to, as the frame named it, and its key: a publisher
   * usually sends to one room, which is then authorized once, not per publish. Reset when the
   * token changes.
   */
  #publishRoom: string | null = null;
  #publishKey = '';
  /** The `sub` as publish payloads carry it, encoded on the first publish. */
  #sender: Uint8Array | null = null;
  #state: ConnectionState = 'open';
  #encoding: FrameEncoding = 'json';

  constructor(
    id: number,
    principal: ConnectionPrincipal,
    socket: ConnectionSocket,
    host: ConnectionHost,
  ) {
    this.#id = id;
    this.#principal = principal;
    this.#socket = socket;
    this.#host = host;
  }

  get id(): number {
    return this.#id;
  }
  /** Made when asked rather than kept: it is read on open, presence changes and close only. */
  get publicId(): string {
    return `${this.#host.nodeId}.${this.#id.toString(36)}`;
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
        conn: this.publicId,
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
    // uWS already refused frames over the hard limit; below it decoding is bounded work, and it
    // finds the `ref` that an oversized frame's `too_large` reply must carry.
    const decoded = binary ? decodeBinaryFrame(bytes) : decodeTextFrameBytes(bytes);
    if (bytes.length > this.#host.limits.maxFrameBytes) {
      const ref = decoded.ok ? decoded.frame.ref : decoded.ref;
      const limit = this.#host.limits.maxFrameBytes;
      this.#refuse(ref, new WireError('too_large', `frame over ${limit} bytes`), encoding, nowMs);
      return;
    }
    if (!decoded.ok) {
      this.#refuse(decoded.ref, decoded.error, encoding, nowMs);
      return;
    }
    if (encoding !== this.#encoding) this.#switchEncoding(encoding);
    this.#run(decoded.frame, encoding, nowMs);
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
    this.#ops.clear();
    for (const roomKey of this.#rooms.keys()) this.#host.rooms.leave(roomKey, this.#id, null);
    this.#rooms.clear();
    this.#host.presence.leaveConn(this.publicId);
    this.#host.released(this.#id, this.#principal.tenant);
  }

  /**
   * The room's shard restarted (or the room crashed, or moved): join again quietly, keeping the
   * stream going. `since` is where the room's members were: a durable room replays what it stored
   * after that and nobody got (a write whose fan-out died with the shard).
   */
  restore(roomKey: string, since: ResumeFrom | null, done: (error: Error | null) => void): boolean {
    if (this.#state === 'closed' || !this.#rooms.has(roomKey)) return false;
    this.#host.rooms.join(roomKey, this.#id, since, true, (error) => done(error));
    return true;
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

  /** Runs one decoded frame; a failure is answered in the frame's encoding. */
  #run(frame: ClientFrame, encoding: FrameEncoding, nowMs: number): void {
    try {
      this.#dispatch(frame, encoding, nowMs);
    } catch (err) {
      this.#reject(frame.ref, toWireError(err), encoding);
    }
  }

  #dispatch(frame: ClientFrame, encoding: FrameEncoding, nowMs: number): void {
    switch (frame.op) {
      case 'join':
      case 'leave': {
        const roomKey = this.#authorize(frame.room, frame.op === 'join');
        // A join or leave of this room in flight: later ones wait for its answer, so the client
        // sees them applied in the order it sent them.
        if (this.#ops.defer(roomKey, () => this.#run(frame, encoding, nowMs))) return;
        if (frame.op === 'join') return this.#join(frame, roomKey, encoding, nowMs);
        return this.#leave(roomKey, frame.ref, encoding);
      }
      case 'publish':
        return this.#publish(frame, nowMs);
      case 'history':
        return this.#history(frame, encoding, nowMs);
      case 'ping':
        return this.#reply(frame.ref, { ts: Date.now() }, encoding);
      case 'refresh':
        return this.#refresh(frame.token, frame.ref);
    }
  }

  #join(frame: JoinFrame, roomKey: string, encoding: FrameEncoding, nowMs: number): void {
    const limit = this.#host.limits.maxRoomsPerConnection;
    if (!this.#rooms.has(roomKey) && this.#rooms.size + this.#ops.size >= limit) {
      throw new WireError('forbidden', `at most ${limit} rooms per connection`);
    }
    const ref = frame.ref;
    const meta = frame.meta ?? EMPTY_META;
    const presence = this.#principal.caps.has('presence');
    const join = (): void =>
      this.#host.rooms.join(roomKey, this.#id, frame.since ?? null, false, (error, reply) => {
        const waiting = this.#ops.settle(roomKey);
        if (this.#state === 'closed') {
          if (error === null) this.#host.rooms.leave(roomKey, this.#id, null);
          return;
        }
        if (error !== null || reply === null) this.#reject(ref, toWireError(error), encoding);
        else this.#joined(frame, roomKey, reply, encoding, meta, presence, nowMs);
        this.#ops.resume(roomKey, waiting, () => this.#state === 'open');
      });
    const { tenant, sub } = this.#principal;
    if (!this.#host.policy.guards('on_join', tenant)) {
      this.#ops.start(roomKey, join);
      return;
    }
    // The join is in flight from the policy check on: later frames of this room wait behind it.
    this.#ops.start(roomKey, () =>
      this.#host.policy.checkJoin(tenant, sub, frame.room, meta, (denial) => {
        if (denial === null) {
          if (this.#state !== 'closed') join();
          else this.#ops.settle(roomKey);
          return;
        }
        const waiting = this.#ops.settle(roomKey);
        if (this.#state === 'closed') return;
        this.#denied(ref, denial.reason, denial.disconnect, encoding);
        this.#ops.resume(roomKey, waiting, () => this.#state === 'open');
      }),
    );
  }

  /** A policy denied a join or publish: answer `policy_denied`, and close with 4003 if asked. */
  #denied(ref: string | undefined, reason: string, disconnect: boolean, enc: FrameEncoding): void {
    this.#reject(ref, new WireError('policy_denied', reason), enc);
    if (disconnect) this.close(CLOSE_POLICY_DROP, 'dropped by policy');
  }

  /** The room answered a join: subscribe (before anything else is read off the ring), reply. */
  #joined(
    frame: JoinFrame,
    roomKey: string,
    reply: JoinAnswer,
    encoding: FrameEncoding,
    meta: JsonObject,
    presence: boolean,
    nowMs: number,
  ): void {
    const known = this.#rooms.get(roomKey);
    const onlineAt = known?.onlineAt ?? nowMs;
    this.#rooms.set({ roomKey, room: frame.room, meta, onlineAt, presence });
    // Room messages follow the connection's current encoding, which may have changed meanwhile.
    const topicEncoding = this.#encoding === 'json' ? 'j' : 'b';
    this.#socket.subscribe(topicOf('m', topicEncoding, roomKey));
    const body: JsonObject = { epoch: reply.epoch, offset: reply.offset };
    if (reply.recovered === false) body.recovered = false;
    this.#reply(frame.ref, body, encoding);
    if (!presence) return;
    // Others learn of the join by diff; the joiner gets the full state (itself included) once,
    // when the room's pending presence changes have gone out, so that it sees none twice.
    this.#host.presence.join(roomKey, this.#principal.sub, this.publicId, meta, onlineAt);
    this.#host.presence.afterPending(roomKey, () => {
      // Left, closed or rejoined without presence meanwhile: nothing to show.
      if (this.#state === 'closed' || this.#rooms.get(roomKey)?.presence !== true) return;
      // The same bytes for every joiner of this window (PresenceStateFrames).
      const state = this.#host.presenceStates.frame(roomKey, frame.room, this.#encoding);
      this.#socket.sendBytes(state.bytes, state.binary);
      this.#host.metrics.messagesOut(1);
      this.#socket.subscribe(topicOf('p', this.#encoding === 'json' ? 'j' : 'b', roomKey));
    });
  }

  /**
   * Leaves through the room, and unsubscribes when the room answers: messages the room ordered
   * before the leave (the client's own publishes sent before it included) still arrive.
   */
  #leave(roomKey: string, ref: string | undefined, encoding: FrameEncoding): void {
    if (!this.#rooms.has(roomKey)) throw new WireError('not_joined', 'not joined to this room');
    this.#ops.start(roomKey, () =>
      this.#host.rooms.leave(roomKey, this.#id, () => {
        const waiting = this.#ops.settle(roomKey);
        if (this.#state === 'closed') return;
        // Whatever the room said (it may have restarted without us), the client has left. The
        // reply goes first: the socket writes what it holds of the room before it (see
        // ConnectionSocket.unsubscribe).
        this.#reply(ref, {}, encoding);
        this.#left(roomKey);
        this.#ops.resume(roomKey, waiting, () => this.#state === 'open');
      }),
    );
  }

  #left(roomKey: string): void {
    const membership = this.#rooms.get(roomKey);
    if (membership === undefined) return;
    this.#rooms.delete(roomKey);
    const enc = this.#encoding === 'json' ? 'j' : 'b';
    this.#socket.unsubscribe(topicOf('m', enc, roomKey));
    if (membership.presence) {
      this.#socket.unsubscribe(topicOf('p', enc, roomKey));
      this.#host.presence.leave(roomKey, this.publicId);
    }
  }

  #publish(frame: PublishFrame, nowMs: number): void {
    let roomKey = this.#publishKey;
    if (frame.room !== this.#publishRoom) {
      roomKey = this.#authorize(frame.room, true);
      this.#publishRoom = frame.room;
      this.#publishKey = roomKey;
    }
    if (!this.#principal.caps.has('publish'))
      throw new WireError('forbidden', 'the token lacks the publish capability');
    const limits = this.#host.limits;
    this.#publishBucket ??= new TokenBucket(limits.publishRate, limits.publishBurst, nowMs);
    if (!this.#publishBucket.tryTake(nowMs))
      throw new WireError('rate_limited', 'connection publish rate exceeded');
    if (!this.#host.tenantMayPublish(this.#principal.tenant, nowMs)) {
      this.#publishBucket.refund();
      throw new WireError('rate_limited', 'tenant publish rate exceeded');
    }
    this.#sender ??= encodeSender(this.#principal.sub);
    const payload = encodePublishPayload(this.#sender, frame.headers, frame.dataFormat, frame.data);
    const encoding = this.#encoding;
    const ref = frame.ref;
    // Without a ref nothing is answered, so the room is not asked to answer either: one ring
    // record less per publish each way. Unless a policy may deny it: the sender learns of a deny
    // by an `error` frame (and a disconnect verdict must reach this connection).
    const guarded = this.#host.policy.guards('on_publish', this.#principal.tenant);
    if (ref === undefined && !guarded) {
      this.#host.rooms.publish(roomKey, this.#id, payload, frame.echo, nowMs, null);
      return;
    }
    this.#host.rooms.publish(roomKey, this.#id, payload, frame.echo, nowMs, (error, reply) => {
      if (this.#state === 'closed') return;
      if (error !== null && this.#host.policy.disconnects(error)) {
        this.#denied(ref, toWireError(error).message, true, encoding);
      } else if (error !== null || reply === null) {
        if (ref !== undefined || error !== null) this.#reject(ref, toWireError(error), encoding);
      } else if (ref !== undefined)
        this.#send(
          { op: 'reply', ref, status: 'ok', body: { id: reply.id, offset: reply.offset } },
          encoding,
        );
    });
  }

  /**
   * Reads a room's kept messages: allowed to whoever may join the room (the token's rooms, then
   * on_join policies with an empty meta), member or not. Not ordered with this connection's
   * joins and publishes in flight: a page shows what the room had stored when it got the request.
   */
  #history(frame: HistoryFrame, encoding: FrameEncoding, nowMs: number): void {
    const roomKey = this.#authorize(frame.room, true);
    const ref = frame.ref;
    // Without a ref there is nobody to hand the page to: reading it would be wasted work.
    if (ref === undefined) return;
    // A page costs the room's owner a read of up to 768 KiB: a budget of its own, apart from publishes.
    const limits = this.#host.limits;
    this.#historyBucket ??= new TokenBucket(limits.historyRate, limits.historyBurst, nowMs);
    if (!this.#historyBucket.tryTake(nowMs))
      throw new WireError('rate_limited', 'connection history rate exceeded');
    const read = (): void =>
      this.#host.rooms.history(
        roomKey,
        { since: frame.since ?? null, before: frame.before ?? null, limit: frame.limit },
        (error, answer) => {
          if (this.#state === 'closed') return;
          if (error !== null || answer === null)
            return this.#reject(ref, toWireError(error), encoding);
          const { epoch, entries } = answer;
          const messages = entries.map((e) =>
            messageDeliveryOf(frame.room, epoch, e.offset, e.ts, e.payload),
          );
          this.#socket.send(historyReplyText(ref, historyBodyText(answer, messages)));
          this.#host.metrics.messagesOut(1);
        },
      );
    const { tenant, sub } = this.#principal;
    if (!this.#host.policy.guards('on_join', tenant)) return read();
    this.#host.policy.checkJoin(tenant, sub, frame.room, EMPTY_META, (denial) => {
      if (this.#state === 'closed') return;
      if (denial === null) read();
      else this.#denied(ref, denial.reason, denial.disconnect, encoding);
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
        this.#publishRoom = null;
        this.#reply(ref, {}, encoding);
      },
      (error: unknown) => {
        if (this.#state !== 'closed') this.#reject(ref, toWireError(error), encoding);
      },
    );
  }

  /**
   * The room's key; throws the wire error when the name is invalid or, if `check`, when the token
   * does not allow the room (a leave is not checked: a refreshed token may have narrowed the rooms).
   */
  #authorize(room: string, check: boolean): string {
    if (!isValidRoomName(room)) throw new WireError('bad_frame', 'room: not a valid room name');
    if (check && !principalMayAccess(this.#principal, room)) {
      throw new WireError('forbidden', 'the token does not allow this room');
    }
    return roomKeyOf(this.#principal.tenant, room);
  }

  /** Room messages and presence follow the encoding the client used last (docs/protocol.md, "Frames"). */
  #switchEncoding(encoding: FrameEncoding): void {
    const from = this.#encoding === 'json' ? 'j' : 'b';
    const to = encoding === 'json' ? 'j' : 'b';
    this.#encoding = encoding;
    for (const membership of this.#rooms.values()) {
      const roomKey = membership.roomKey;
      this.#socket.unsubscribe(topicOf('m', from, roomKey));
      this.#socket.subscribe(topicOf('m', to, roomKey));
      if (membership.presence) {
        this.#socket.unsubscribe(topicOf('p', from, roomKey));
        this.#socket.subscribe(topicOf('p', to, roomKey));
      }
    }
  }

  #reply(ref: string | undefined, body: JsonObject, encoding: FrameEncoding): void {
    if (ref !== undefined) this.#send({ op: 'reply', ref, status: 'ok', body }, encoding);
  }

  /** A frame refused before it ran (bad, too large): answered, and counted against the budget. */
  #refuse(ref: string | undefined, error: WireError, encoding: FrameEncoding, nowMs: number): void {
    this.#reject(ref, error, encoding);
    const budget = this.#host.limits.badFrameBudget;
    this.#badFrames ??= new TokenBucket((budget * 1000) / BAD_FRAME_WINDOW_MS, budget, nowMs);
    if (!this.#badFrames.tryTake(nowMs)) this.close(CLOSE_POLICY_VIOLATION, 'too many bad frames');
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

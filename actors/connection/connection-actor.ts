import {
  CLOSE_POLICY_VIOLATION,
  CLOSE_SLOW_CONSUMER,
  CLOSE_TOKEN_EXPIRED,
  type ClientFrame,
  decodeBinaryFrame,
  decodeTextFrameBytes,
  type EncodedMessage,
  type FrameEncoding,
  type JoinFrame,
  type JsonObject,
  toWireError,
  WireError,
} from '../../proto/wire/index.js';
import { TokenBucket } from '../limits/index.js';
import type { ResumeFrom } from '../room/index.js';
import type { ConnectionHost, JoinAnswer } from './connection-host.js';
import { ConnectionOutput } from './connection-output.js';
import { authorizedRoomKey, type ConnectionPrincipal } from './connection-principal.js';
import { ConnectionPublisher } from './connection-publisher.js';
import type { ConnectionSocket } from './connection-socket.js';
import { HistoryReader } from './history-reader.js';
import { EMPTY_META, RoomMemberships } from './room-memberships.js';
import { RoomOps } from './room-ops.js';

/**
 * upgrading -> authenticating happen in the edge's upgrade handler, before this actor exists (a bad
 * token never gets a socket). open: frames flow. draining: the node is stopping; nothing new is
 * accepted. closed: the socket is gone; late answers from rooms are undone (a late join is left).
 */
export type ConnectionState = 'open' | 'draining' | 'closed';

const BAD_FRAME_WINDOW_MS = 60_000;

/**
 * One WebSocket connection: decodes its frames, checks them against its token and limits, talks to
 * rooms through the host, and keeps its memberships so it can restore them when a room's shard
 * restarts. uWS already runs one socket's callbacks one at a time on the edge thread; this object is
 * the actor's state and behaviour, without a mailbox of its own (see ARCHITECTURE.md).
 *
 * Writes go through its ConnectionOutput (socket, encoding, metrics); publishes and history reads
 * are ConnectionPublisher's and HistoryReader's, which keep their own state.
 *
 * An idle node holds many of these, so what only some connections use is made on first use: the
 * publisher and history reader with their rate buckets (a new bucket is full, as one made at
 * connect time would be by then), the bad-frame bucket, the map of ops in flight, and a `Map` of
 * rooms only from the second room on (see ARCHITECTURE.md, memory).
 */
export class ConnectionActor {
  readonly #id: number;
  readonly #host: ConnectionHost;
  readonly #output: ConnectionOutput;
  readonly #rooms = new RoomMemberships();
  readonly #ops = new RoomOps();
  #publisher: ConnectionPublisher | null = null;
  #history: HistoryReader | null = null;
  #badFrames: TokenBucket | null = null;
  #principal: ConnectionPrincipal;
  #state: ConnectionState = 'open';

  constructor(
    id: number,
    principal: ConnectionPrincipal,
    socket: ConnectionSocket,
    host: ConnectionHost,
  ) {
    this.#id = id;
    this.#principal = principal;
    this.#host = host;
    this.#output = new ConnectionOutput(socket, host.metrics);
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
    this.#output.send(
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
    if (encoding !== this.#output.encoding)
      this.#output.switchEncoding(encoding, this.#rooms.values());
    this.#run(decoded.frame, encoding, nowMs);
  }

  /** Periodic checks from the edge: token expiry and a client that does not read. */
  tick(nowMs: number): void {
    if (this.#state !== 'open') return;
    const expiresAt = this.#principal.expiresAtMs;
    if (expiresAt !== null && nowMs >= expiresAt) {
      this.close(CLOSE_TOKEN_EXPIRED, 'token expired');
    } else if (this.#output.bufferedAmount() > this.#host.limits.maxSendBufferBytes) {
      this.close(CLOSE_SLOW_CONSUMER, 'slow consumer');
    }
  }

  /** Closes the socket from the server side; `closed()` follows from the socket's close event. */
  close(code: number, reason: string): void {
    this.#output.end(code, reason);
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
    this.#output.detach();
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
    this.#host.rooms.join(roomKey, this.#id, since, true, (error) => {
      // The room answers in order, so a leave it took before this join (the client's, or the
      // close's) has been answered by now, and this join put the member back: take it out again.
      // An op still in flight was sent after this join, and the room applies it after it.
      if (error === null && !this.#rooms.has(roomKey) && !this.#ops.has(roomKey))
        this.#host.rooms.leave(roomKey, this.#id, null);
      done(error);
    });
    return true;
  }

  /** A message for this connection alone (a replay after `join` with `since`). */
  deliver(message: EncodedMessage): void {
    this.#output.deliver(message);
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
      this.#output.reject(frame.ref, toWireError(err), encoding);
    }
  }

  #dispatch(frame: ClientFrame, encoding: FrameEncoding, nowMs: number): void {
    switch (frame.op) {
      case 'join':
      case 'leave': {
        const roomKey = authorizedRoomKey(this.#principal, frame.room, frame.op === 'join');
        // A join or leave of this room in flight: later ones wait for its answer, so the client
        // sees them applied in the order it sent them.
        if (this.#ops.defer(roomKey, () => this.#run(frame, encoding, nowMs))) return;
        if (frame.op === 'join') return this.#join(frame, roomKey, encoding, nowMs);
        return this.#leave(roomKey, frame.ref, encoding);
      }
      case 'publish':
        this.#publisher ??= new ConnectionPublisher(this.#id, this.#host, this.#output);
        return this.#publisher.publish(frame, this.#principal, nowMs);
      case 'history':
        this.#history ??= new HistoryReader(this.#host, this.#output);
        return this.#history.read(frame, this.#principal, encoding, nowMs);
      case 'ping':
        return this.#output.reply(frame.ref, { ts: Date.now() }, encoding);
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
        if (error !== null || reply === null)
          this.#output.reject(ref, toWireError(error), encoding);
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
        this.#output.deny(ref, denial.reason, denial.disconnect, encoding);
        this.#ops.resume(roomKey, waiting, () => this.#state === 'open');
      }),
    );
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
    this.#output.subscribe('m', roomKey);
    const body: JsonObject = { epoch: reply.epoch, offset: reply.offset };
    if (reply.recovered === false) body.recovered = false;
    this.#output.reply(frame.ref, body, encoding);
    if (!presence) return;
    // Others learn of the join by diff; the joiner gets the full state (itself included) once,
    // when the room's pending presence changes have gone out, so that it sees none twice.
    this.#host.presence.join(roomKey, this.#principal.sub, this.publicId, meta, onlineAt);
    this.#host.presence.afterPending(roomKey, () => {
      // Left, closed or rejoined without presence meanwhile: nothing to show.
      if (this.#state === 'closed' || this.#rooms.get(roomKey)?.presence !== true) return;
      // The same bytes for every joiner of this window (PresenceStateFrames).
      const state = this.#host.presenceStates.frame(roomKey, frame.room, this.#output.encoding);
      this.#output.sendBytes(state.bytes, state.binary);
      this.#output.subscribe('p', roomKey);
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
        this.#output.reply(ref, {}, encoding);
        this.#left(roomKey);
        this.#ops.resume(roomKey, waiting, () => this.#state === 'open');
      }),
    );
  }

  #left(roomKey: string): void {
    const membership = this.#rooms.get(roomKey);
    if (membership === undefined) return;
    this.#rooms.delete(roomKey);
    this.#output.unsubscribe('m', roomKey);
    if (membership.presence) {
      this.#output.unsubscribe('p', roomKey);
      this.#host.presence.leave(roomKey, this.publicId);
    }
  }

  #refresh(token: string, ref: string | undefined): void {
    const encoding = this.#output.encoding;
    this.#host.verify(token).then(
      (principal) => {
        if (this.#state === 'closed') return;
        if (principal.sub !== this.#principal.sub || principal.tenant !== this.#principal.tenant) {
          this.#output.reject(
            ref,
            new WireError('forbidden', 'a refreshed token must have the same sub and tid'),
            encoding,
          );
          return;
        }
        this.#principal = principal;
        this.#publisher?.forgetRoom();
        this.#output.reply(ref, {}, encoding);
      },
      (error: unknown) => {
        if (this.#state !== 'closed') this.#output.reject(ref, toWireError(error), encoding);
      },
    );
  }

  /** A frame refused before it ran (bad, too large): answered, and counted against the budget. */
  #refuse(ref: string | undefined, error: WireError, encoding: FrameEncoding, nowMs: number): void {
    this.#output.reject(ref, error, encoding);
    const budget = this.#host.limits.badFrameBudget;
    this.#badFrames ??= new TokenBucket((budget * 1000) / BAD_FRAME_WINDOW_MS, budget, nowMs);
    if (!this.#badFrames.tryTake(nowMs)) this.close(CLOSE_POLICY_VIOLATION, 'too many bad frames');
  }
}

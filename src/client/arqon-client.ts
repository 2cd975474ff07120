import { ClientConnection, closedError } from './client-connection.js';
import {
  type ClientFrame,
  checkRoom,
  type JoinFrame,
  type JoinOptions,
  joinFrame,
  type PublishOptions,
  publishFrame,
} from './client-frame.js';
import { type ArqonClientOptions, resolveClientOptions } from './client-options.js';
import type { ClientState, StateChange } from './client-state.js';
import { callSafely, Emitter, type Listener } from './emitter.js';
import { ArqonClientError } from './errors.js';
import {
  type HistoryOptions,
  type HistoryResult,
  historyFrame,
  readHistoryReply,
} from './history-query.js';
import type { ReplyBody } from './pending-requests.js';
import { Presence } from './presence.js';
import {
  type JoinResult,
  type PingResult,
  type PublishResult,
  readJoinReply,
  readPingReply,
  readPublishReply,
} from './reply-body.js';
import { RoomChannel, type RoomEvents } from './room-channel.js';
import { RoomCursor } from './room-cursor.js';
import type { RoomMessage, ServerFrame, Welcome } from './server-frame.js';

export type ClientEvents = {
  state: [StateChange];
  /** Every room message, of every room. */
  message: [RoomMessage];
  /** `error` frames from the server, unreadable frames, failed re-joins and token functions. */
  error: [ArqonClientError];
};

/** A room the user joined and has not left: re-joined after every reconnect. */
interface JoinedRoom {
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** Where a re-join resumes, and which messages were delivered already. */
  readonly cursor: RoomCursor;
}

/** What the client counts, for the application's own metrics. */
export interface ClientStats {
  /** Message frames dropped because their room had delivered that offset already. */
  readonly duplicatesDropped: number;
}

interface RoomSlot {
  readonly channel: RoomChannel;
  readonly events: Emitter<RoomEvents>;
  readonly presence: Presence;
  /** Bumped by every join and leave the user makes: a reply to an older one must not record. */
  version: number;
}

/**
 * An ArqonBus client over JSON text frames, for browsers and Node.
 *
 * Connection rules (see `close-policy.ts` for which closes end the client):
 * - `connect()` tries each URL once, in order, and rejects with ARQ_CLIENT_CONNECT_FAILED when
 *   none reaches its welcome. Once connected, a close the user did not ask for starts reconnecting
 *   (unless `reconnect: false`): full-jitter exponential backoff, each attempt on the next URL of
 *   the list, a token function called again before each attempt. Attempts go on until one works or
 *   `close()` is called.
 * - Requests (`join`, `publish`, `ping`, `refresh`, `leave`) are sent at once or fail: made while
 *   not connected they reject with ARQ_CLIENT_NOT_CONNECTED (nothing was sent); in flight when the
 *   socket drops they reject with ARQ_CLIENT_DISCONNECTED (the outcome is unknown). There is no
 *   queue: a message published twice or late is worse than one the caller knows failed. `leave()`
 *   while disconnected succeeds locally (the server forgot the connection anyway).
 * - After a reconnect every joined room is joined again, with its meta and `since` the last
 *   message seen there, so the server replays what was missed when it still has it; each room
 *   handle then emits `rejoin` (with `recovered`) or, when the join is refused, `error`.
 * - A room's messages reach the application once: after each join the client keeps the last
 *   offset it delivered in the join's epoch and drops a message at or below it (a replay that
 *   overlaps live delivery, a durable room delivering again); `stats.duplicatesDropped` counts them.
 *   Every join reply (a new epoch, a `since` of the user's) places the room afresh.
 */
export class ArqonClient {
  readonly #events = new Emitter<ClientEvents>();
  readonly #connection: ClientConnection;
  readonly #rooms = new Map<string, RoomSlot>();
  readonly #joined = new Map<string, JoinedRoom>();
  #duplicatesDropped = 0;

  constructor(options: ArqonClientOptions) {
    const resolved = resolveClientOptions(options);
    const onStateChange = resolved.onStateChange;
    this.#connection = new ClientConnection(resolved, {
      connected: () => this.#rejoinAll(),
      frame: (frame) => this.#frame(frame),
      error: (error) => this.#events.emit('error', error),
      state: (change) => {
        if (onStateChange !== null) callSafely(onStateChange, change);
        this.#events.emit('state', change);
      },
      closed: () => {
        this.#joined.clear();
        for (const slot of this.#rooms.values()) slot.presence.clear();
      },
    });
  }

  get state(): ClientState {
    return this.#connection.state;
  }

  /** The welcome of the current (or last) connection. */
  get welcome(): Welcome | null {
    return this.#connection.welcome;
  }

  get stats(): ClientStats {
    return { duplicatesDropped: this.#duplicatesDropped };
  }

  /** The URL of the current connection, or of the next attempt. */
  get url(): string {
    return this.#connection.url;
  }

  on<E extends keyof ClientEvents>(event: E, listener: Listener<ClientEvents[E]>): () => void {
    return this.#events.on(event, listener);
  }

  off<E extends keyof ClientEvents>(event: E, listener: Listener<ClientEvents[E]>): void {
    this.#events.off(event, listener);
  }

  /** The handle of one room (the same one for the same name), joined or not. */
  room(name: string): RoomChannel {
    return this.#slot(checkRoom(name)).channel;
  }

  isJoined(room: string): boolean {
    return this.#joined.has(room);
  }

  /** Resolves with the welcome once connected (at once if already). */
  connect(): Promise<Welcome> {
    return this.#connection.connect();
  }

  async join(room: string, options: JoinOptions = {}): Promise<JoinResult> {
    const frame = joinFrame(room, options);
    const slot = this.#slot(room);
    return this.#join(frame, ++slot.version);
  }

  /** Leaves the room and stops re-joining it; its presence is cleared. */
  async leave(room: string): Promise<void> {
    const slot = this.#slot(checkRoom(room));
    slot.version++;
    this.#joined.delete(room);
    slot.presence.clear();
    const state = this.#connection.state;
    if (state === 'connected') await this.#request({ op: 'leave', room }, () => undefined);
    else if (state === 'closed') throw closedError();
  }

  async publish(room: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    return this.#request(publishFrame(room, data, options), (body) => {
      const result = readPublishReply(body);
      if (options.echo === false) this.#joined.get(room)?.cursor.skipOwn(result.offset);
      return result;
    });
  }

  /** Reads a room's kept messages without joining it (see HistoryOptions). */
  async history(room: string, options: HistoryOptions = {}): Promise<HistoryResult> {
    return this.#request(historyFrame(room, options), readHistoryReply);
  }

  async ping(): Promise<PingResult> {
    return this.#request({ op: 'ping' }, readPingReply);
  }

  /** Replaces the connection's token; a fixed token is also used for later reconnects. */
  async refresh(token: string): Promise<void> {
    if (typeof token !== 'string' || token === '')
      throw new ArqonClientError('ARQ_CLIENT_INVALID_ARGUMENT', 'token must be a non-empty string');
    await this.#request({ op: 'refresh', token }, () => this.#connection.useToken(token));
  }

  /** Closes for good: no reconnect; waiting requests reject with ARQ_CLIENT_CLOSED. */
  close(): void {
    this.#connection.shutdown(null, 'closed by the client');
  }

  #slot(room: string): RoomSlot {
    let slot = this.#rooms.get(room);
    if (slot === undefined) {
      const events = new Emitter<RoomEvents>();
      const presence = new Presence();
      const channel = new RoomChannel(room, this, events, presence);
      slot = { channel, events, presence, version: 0 };
      this.#rooms.set(room, slot);
    }
    return slot;
  }

  #join(frame: JoinFrame, version: number): Promise<JoinResult> {
    return this.#request(frame, (body) => {
      const result = readJoinReply(body, frame.since);
      if (this.#slot(frame.room).version === version) {
        const cursor = new RoomCursor({
          epoch: result.epoch,
          offset: result.offset,
          since: frame.since,
          recovered: result.recovered,
        });
        this.#joined.set(frame.room, { meta: frame.meta, cursor });
      }
      return result;
    });
  }

  #rejoinAll(): void {
    for (const [room, joined] of this.#joined) {
      const slot = this.#slot(room);
      const version = slot.version;
      const frame: JoinFrame = {
        op: 'join',
        room,
        ...(joined.meta === undefined ? {} : { meta: joined.meta }),
        since: joined.cursor.resumePoint(),
      };
      this.#join(frame, version).then(
        (result) => slot.events.emit('rejoin', result),
        (error: ArqonClientError) => {
          // A drop before the reply: the room stays joined and the next reconnect tries again.
          if (error.code === 'ARQ_CLIENT_DISCONNECTED' || error.code === 'ARQ_CLIENT_CLOSED')
            return;
          if (error.fromServer && slot.version === version) {
            this.#joined.delete(room);
            slot.presence.clear();
          }
          slot.events.emit('error', error);
          this.#events.emit('error', error);
        },
      );
    }
  }

  #request<T>(frame: ClientFrame, read: (body: ReplyBody) => T): Promise<T> {
    return this.#connection.request(frame, read);
  }

  #frame(frame: ServerFrame): void {
    switch (frame.op) {
      case 'message': {
        const message = frame.message;
        const joined = this.#joined.get(message.room);
        if (joined !== undefined && !joined.cursor.accept(message.offset)) {
          this.#duplicatesDropped++;
          return;
        }
        this.#events.emit('message', message);
        this.#rooms.get(message.room)?.events.emit('message', message);
        return;
      }
      case 'presence_state':
        this.#slot(frame.room).presence.syncState(frame.presences);
        return;
      case 'presence_diff':
        this.#slot(frame.room).presence.syncDiff(frame);
        return;
      case 'error':
        this.#events.emit('error', new ArqonClientError(frame.error.code, frame.error.message));
        return;
      default:
        this.#events.emit(
          'error',
          new ArqonClientError('ARQ_CLIENT_BAD_FRAME', `unexpected ${frame.op} frame`),
        );
        return;
    }
  }
}

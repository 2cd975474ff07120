import { randomBytes } from 'node:crypto';
import type { ActorContext, Behavior, SystemMessage } from '../runtime/index.js';
import { answerHistory } from './answer-history.js';
import { isRequest } from './is-request.js';
import {
  DEFAULT_ROOM_IDLE_MS,
  HISTORY_REPLY_MAX_BYTES,
  type RoomActorOptions,
} from './room-actor-options.js';
import { type HistoryEntry, RoomHistory } from './room-history.js';
import type { HistoryQuery, RoomMessage, RoomState } from './room-message.js';
import type { RoomOutput } from './room-output.js';
import { type RoomStore, STORE_BATCH_MAX_MESSAGES, type StoredEntry } from './room-store.js';
import { tellSelf } from './tell-self.js';

type Publish = Extract<RoomMessage, { type: 'publish' }>;

/**
 * One room: orders its messages (offset), keeps recent history for resume, knows its local members
 * (to stop when empty), and emits one delivery per publish. Presence is not here: it belongs to the
 * connections, so the node's presence tracker (beside the edge) owns it and survives shard crashes. A new actor is a new stream epoch: offsets restart
 * at 1, and a client resuming from another epoch is told `recovered: false`, unless it starts from
 * the `initial` state another node handed over (`export`): then epoch, offsets and history go on.
 *
 * A durable room (with a `store`) is the same room whose stream outlives it: it starts by reading
 * its epoch, offset and kept messages back from the store (holding what arrives meanwhile), and
 * writes each publish before answering and delivering it, one write at a time, so that the stored
 * order is the delivered order. A write that failed is answered `overloaded`; since it may have
 * been stored anyway, the room reads its stream again before the next write and delivers what it
 * finds there that the members have not seen.
 */
export class RoomActor implements Behavior<RoomMessage> {
  readonly #key: string;
  readonly #out: RoomOutput;
  readonly #idleMs: number;
  readonly #history: RoomHistory;
  readonly #now: () => number;
  #epoch: string;
  readonly #members = new Set<number>();
  readonly #store: RoomStore | null;
  readonly #maxAgeMs: number;
  readonly #historyReplyMaxBytes: number;
  /** A durable room reading its stream: what arrives meanwhile waits, in order. */
  #loading = false;
  readonly #waiting: RoomMessage[] = [];
  /** Publishes of a durable room not answered yet; the first is being written when `#writing`. */
  readonly #writes: Publish[] = [];
  #writing = false;
  /** A write failed: it may have been stored all the same, so read the stream before the next. */
  #stale = false;
  /** The room's last offset: for a durable room, the last one stored. */
  #offset = 0;
  #lastActivity = 0;
  #idleTimer: number | null = null;

  constructor(options: RoomActorOptions) {
    this.#key = options.roomKey;
    this.#out = options.output;
    this.#idleMs = options.idleMs ?? DEFAULT_ROOM_IDLE_MS;
    this.#history = new RoomHistory(options.history);
    this.#now = options.now ?? Date.now;
    this.#store = options.store ?? null;
    this.#maxAgeMs = options.maxAgeMs ?? 0;
    this.#historyReplyMaxBytes = options.historyReplyMaxBytes ?? HISTORY_REPLY_MAX_BYTES;
    const initial = options.initial;
    this.#epoch = initial?.epoch ?? randomBytes(6).toString('base64url');
    if (initial !== undefined) {
      this.#offset = initial.offset;
      for (const entry of initial.history) this.#history.append(entry);
    }
  }

  get epoch(): string {
    return this.#epoch;
  }

  started(ctx: ActorContext<RoomMessage>): void {
    this.#lastActivity = this.#now();
    this.#armIdle(ctx);
    if (this.#store !== null) this.#load(ctx);
  }

  receive(message: RoomMessage | SystemMessage, ctx: ActorContext<RoomMessage>): void {
    if ((this.#loading || (this.#writing && message.type === 'export')) && isRequest(message)) {
      // Nothing is answered before the room knows its stream; a hand-over waits for its writes.
      this.#waiting.push(message);
      return;
    }
    switch (message.type) {
      case 'join':
        return this.#join(message, ctx);
      case 'leave':
        return this.#leave(message.connId, message.corr, ctx);
      case 'history':
        return this.#answerHistory(message.corr, message.query);
      case 'publish':
        if (this.#store === null) return this.#publish(message);
        this.#writes.push(message);
        return this.#pump(ctx);
      case 'loaded':
        return this.#loaded(message.state, ctx);
      case 'load-failed':
        return this.#loadFailed(message.reason, ctx);
      case 'stored':
        return this.#stored(ctx);
      case 'store-failed':
        return this.#storeFailed(ctx);
      case 'export':
        // Everything told to the room before this is done: its state is final. It stops here;
        // the node routes the room's later messages to the new owner.
        this.#out.exported(message.corr, {
          epoch: this.#epoch,
          offset: this.#offset,
          history: this.#history.entries(),
        });
        ctx.stop();
        return;
      case 'idle-check':
        this.#idleTimer = null;
        if (this.#members.size > 0) return;
        // A durable room waiting for its store has answers to give before it may stop.
        if (this.#loading || this.#writing) return this.#armIdle(ctx);
        // Publishes without local members (e.g. over HTTP) keep the room and its history alive.
        if (this.#now() - this.#lastActivity >= this.#idleMs) ctx.stop();
        else this.#armIdle(ctx);
        return;
      default:
        return; // system messages (down/exit) are not used by rooms
    }
  }

  #join(message: Extract<RoomMessage, { type: 'join' }>, ctx: ActorContext<RoomMessage>): void {
    this.#cancelIdle(ctx);
    this.#members.add(message.connId);
    if (message.restore) {
      this.#out.reply(message.corr, { epoch: this.#epoch, offset: this.#offset });
      // The node re-joins its members itself: what this stream stored after their position and
      // they never got (a durable room's write whose fan-out died with its shard) goes to them.
      const since = message.since;
      if (since !== null && 'epoch' in since && since.epoch === this.#epoch)
        this.#replayTo(message.connId, this.#history.after(since.offset, this.#offset) ?? []);
      return;
    }
    const body: Record<string, unknown> = { epoch: this.#epoch, offset: this.#offset };
    let replay = null;
    if (message.since !== null) {
      this.#expire();
      const since = message.since;
      if ('ts' in since) replay = this.#history.fromTime(since.ts, this.#offset);
      else
        replay =
          since.epoch === this.#epoch ? this.#history.after(since.offset, this.#offset) : null;
      if (replay === null) body.recovered = false;
    }
    this.#out.reply(message.corr, body);
    if (replay !== null) this.#replayTo(message.connId, replay);
  }

  #replayTo(connId: number, entries: readonly HistoryEntry[]): void {
    for (const entry of entries) {
      this.#out.deliverTo(connId, {
        roomKey: this.#key,
        epoch: this.#epoch,
        offset: entry.offset,
        ts: entry.ts,
        ingressTs: entry.ts,
        senderConn: entry.senderConn,
        echo: true,
        payload: entry.payload,
      });
    }
  }

  /** See answerHistory; the window first drops what the stream dropped by age. */
  #answerHistory(corr: number, query: HistoryQuery): void {
    this.#expire();
    const minTs = this.#maxAgeMs > 0 ? this.#now() - this.#maxAgeMs : 0;
    answerHistory(
      this.#out,
      this.#history,
      corr,
      query,
      this.#epoch,
      this.#offset,
      this.#historyReplyMaxBytes,
      minTs,
    );
  }

  /** A durable room's window drops what its stream dropped by age; an in-memory room has no age. */
  #expire(): void {
    if (this.#maxAgeMs > 0) this.#history.expireBefore(this.#now() - this.#maxAgeMs);
  }

  #leave(connId: number, corr: number, ctx: ActorContext<RoomMessage>): void {
    this.#lastActivity = this.#now();
    if (!this.#members.delete(connId)) {
      if (corr !== 0) this.#out.replyError(corr, 'not_joined', 'not a member of this room');
      return;
    }
    if (corr !== 0) this.#out.reply(corr, {});
    if (this.#members.size === 0) this.#armIdle(ctx);
  }

  #publish(message: Publish, stored?: { readonly offset: number; readonly ts: number }): void {
    const offset = stored?.offset ?? this.#offset + 1;
    const ts = stored?.ts ?? this.#now();
    this.#offset = offset;
    this.#lastActivity = ts;
    this.#history.append({ offset, ts, senderConn: message.connId, payload: message.payload });
    if (message.corr !== 0)
      this.#out.reply(message.corr, { id: `${this.#epoch}:${offset}`, offset });
    this.#out.deliver({
      roomKey: this.#key,
      epoch: this.#epoch,
      offset,
      ts,
      ingressTs: message.ingressTs,
      senderConn: message.connId,
      echo: message.echo,
      payload: message.payload,
    });
  }

  /** Reads the stream; the answer comes back as a message, so the room handles it in order. */
  #load(ctx: ActorContext<RoomMessage>): void {
    this.#loading = true;
    (this.#store as RoomStore).load().then(
      (state) => tellSelf(ctx, { type: 'loaded', state }),
      (error: unknown) => tellSelf(ctx, { type: 'load-failed', reason: String(error) }),
    );
  }

  #loaded(state: RoomState | null, ctx: ActorContext<RoomMessage>): void {
    const catchingUp = this.#stale;
    this.#loading = false;
    this.#stale = false;
    // The stream is the truth: it may hold a message whose write looked failed (then members get
    // it now, once), or, after a race between two owners, the other's epoch.
    if (state !== null && (state.epoch !== this.#epoch || state.offset > this.#offset)) {
      const known = state.epoch === this.#epoch ? this.#offset : 0;
      if (state.epoch !== this.#epoch) this.#history.clear();
      this.#epoch = state.epoch;
      for (const entry of state.history) {
        if (entry.offset <= known) continue;
        this.#history.append(entry);
        if (catchingUp) this.#deliverStored(entry.offset, entry.ts, entry.payload);
      }
      this.#offset = state.offset;
    }
    this.#writing = false;
    this.#drainWaiting(ctx);
    this.#pump(ctx);
  }

  /** The stream cannot be read: nothing can be answered in order, so all waiting get `overloaded`. */
  #loadFailed(reason: string, ctx: ActorContext<RoomMessage>): void {
    this.#loading = false;
    this.#writing = false;
    const refused = [...this.#waiting, ...this.#writes];
    this.#waiting.length = 0;
    this.#writes.length = 0;
    for (const message of refused) {
      if ('corr' in message && message.corr !== 0)
        this.#out.replyError(message.corr, 'overloaded', `room storage unavailable: ${reason}`);
    }
    // The next message starts the room afresh, reading the stream again.
    ctx.stop();
  }

  /**
   * Writes the oldest unanswered publishes, one write at a time so that the stream's order is the
   * room's: what queued while the previous write was in flight goes together in the next (a group
   * commit), so a busy room pays one storage round trip per batch rather than per message.
   */
  #pump(ctx: ActorContext<RoomMessage>): void {
    if (this.#writing || this.#loading) return;
    if (this.#stale) {
      this.#writing = true;
      this.#load(ctx);
      return;
    }
    if (this.#writes.length === 0) return this.#drainWaiting(ctx);
    const store = this.#store as RoomStore;
    const ts = this.#now();
    const batch: StoredEntry[] = [];
    let bytes = 0;
    for (const next of this.#writes) {
      if (batch.length === STORE_BATCH_MAX_MESSAGES) break;
      if (batch.length > 0 && bytes + next.payload.byteLength > store.maxBatchBytes) break;
      bytes += next.payload.byteLength;
      batch.push({
        epoch: this.#epoch,
        offset: this.#offset + batch.length + 1,
        ts,
        payload: next.payload,
      });
    }
    this.#writing = true;
    this.#pending = batch;
    store.append(batch).then(
      () => tellSelf(ctx, { type: 'stored' }),
      (error: unknown) => tellSelf(ctx, { type: 'store-failed', reason: String(error) }),
    );
  }

  /** The write in flight, oldest first: each entry answers the publish at the same place in `#writes`. */
  #pending: readonly StoredEntry[] = [];

  #stored(ctx: ActorContext<RoomMessage>): void {
    const stored = this.#pending;
    this.#writing = false;
    this.#pending = [];
    for (const entry of stored) {
      const message = this.#writes.shift();
      if (message !== undefined) this.#publish(message, entry);
    }
    this.#pump(ctx);
  }

  #storeFailed(ctx: ActorContext<RoomMessage>): void {
    const refused = this.#writes.splice(0, this.#pending.length);
    this.#writing = false;
    this.#pending = [];
    this.#stale = true;
    // Never a silent ok: the publishers learn that their messages are not known to be stored.
    for (const message of refused)
      if (message.corr !== 0)
        this.#out.replyError(
          message.corr,
          'overloaded',
          'room storage did not confirm, retry later',
        );
    this.#pump(ctx);
  }

  /** A stored message the members have not seen (its write looked failed, but it was kept). */
  #deliverStored(offset: number, ts: number, payload: Uint8Array): void {
    this.#out.deliver({
      roomKey: this.#key,
      epoch: this.#epoch,
      offset,
      ts,
      ingressTs: ts,
      senderConn: 0,
      echo: true,
      payload,
    });
  }

  #drainWaiting(ctx: ActorContext<RoomMessage>): void {
    while (this.#waiting.length > 0 && !this.#loading) {
      const message = this.#waiting.shift() as RoomMessage;
      if (message.type === 'export' && (this.#writing || this.#writes.length > 0)) {
        this.#waiting.unshift(message);
        return;
      }
      this.receive(message, ctx);
    }
  }

  #armIdle(ctx: ActorContext<RoomMessage>): void {
    if (this.#idleTimer === null)
      this.#idleTimer = ctx.setTimeout(this.#idleMs, { type: 'idle-check' });
  }

  #cancelIdle(ctx: ActorContext<RoomMessage>): void {
    if (this.#idleTimer !== null) {
      ctx.cancelTimer(this.#idleTimer);
      this.#idleTimer = null;
    }
  }
}

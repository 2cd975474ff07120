import { randomBytes } from 'node:crypto';
import type { ActorContext, Behavior, SystemMessage } from '../runtime/index.js';
import { RoomHistory, type RoomHistoryOptions } from './room-history.js';
import type { RoomMessage, RoomState } from './room-message.js';
import type { RoomOutput } from './room-output.js';

export const DEFAULT_ROOM_IDLE_MS = 30_000;

export interface RoomActorOptions {
  readonly roomKey: string;
  readonly output: RoomOutput;
  /** An empty room stops after this long. */
  readonly idleMs?: number;
  readonly history?: RoomHistoryOptions;
  readonly now?: () => number;
  /** The state a room had on its previous owner node (a graceful move): the stream continues. */
  readonly initial?: RoomState;
}

/**
 * One room: orders its messages (offset), keeps recent history for resume, knows its local members
 * (to stop when empty), and emits one delivery per publish. Presence is not here: it belongs to the
 * connections, so the node's presence tracker (beside the edge) owns it and survives shard crashes. A new actor is a new stream epoch: offsets restart
 * at 1, and a client resuming from another epoch is told `recovered: false`, unless it starts from
 * the `initial` state another node handed over (`export`): then epoch, offsets and history go on.
 */
export class RoomActor implements Behavior<RoomMessage> {
  readonly #key: string;
  readonly #out: RoomOutput;
  readonly #idleMs: number;
  readonly #history: RoomHistory;
  readonly #now: () => number;
  readonly #epoch: string;
  readonly #members = new Set<number>();
  #offset = 0;
  #lastActivity = 0;
  #idleTimer: number | null = null;

  constructor(options: RoomActorOptions) {
    this.#key = options.roomKey;
    this.#out = options.output;
    this.#idleMs = options.idleMs ?? DEFAULT_ROOM_IDLE_MS;
    this.#history = new RoomHistory(options.history);
    this.#now = options.now ?? Date.now;
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
  }

  receive(message: RoomMessage | SystemMessage, ctx: ActorContext<RoomMessage>): void {
    switch (message.type) {
      case 'join':
        return this.#join(message, ctx);
      case 'leave':
        return this.#leave(message.connId, message.corr, ctx);
      case 'publish':
        return this.#publish(message);
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
      return;
    }
    const body: Record<string, unknown> = { epoch: this.#epoch, offset: this.#offset };
    let replay = null;
    if (message.since !== null) {
      replay =
        message.since.epoch === this.#epoch
          ? this.#history.after(message.since.offset, this.#offset)
          : null;
      if (replay === null) body.recovered = false;
    }
    this.#out.reply(message.corr, body);
    if (replay !== null) {
      for (const entry of replay) {
        this.#out.deliverTo(message.connId, {
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

  #publish(message: Extract<RoomMessage, { type: 'publish' }>): void {
    const offset = ++this.#offset;
    const ts = this.#now();
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

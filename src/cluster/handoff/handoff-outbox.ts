import type { NatsConnection } from '@nats-io/transport-node';
import { type RoomState, roomOfKey, tenantOfKey } from '../../../actors/index.js';
import { asError, ClusterError, type ClusterLog } from '../base/index.js';
import type { RoomRouteCounters } from '../rooms/index.js';
import { decodeHandoffAck, fitRoomHandoff, roomHandoffSubject } from '../wire/index.js';

export interface HandoffOutboxOptions {
  readonly connection: NatsConnection;
  readonly self: string;
  /** Takes the room out of this node's shards: its state after everything sent to it before. */
  readonly exportRoom: (
    roomKey: string,
    done: (error: Error | null, state: RoomState | null) => void,
  ) => void;
  /** The room's owner now (it may change while a hand-off is retried); null: nobody. */
  readonly ownerOf: (roomKey: string) => string | null;
  /** The room's last deliveries have left: its remote members may be let go here. */
  readonly onExported: (roomKey: string) => void;
  /** The ring came back to this node before the hand-off went out: serve the state here. */
  readonly keep: (roomKey: string, state: RoomState) => void;
  /** Called whenever the last hand-off in progress ends. */
  readonly onIdle: () => void;
  /** The whole budget of one hand-off (export, sends, retries). */
  readonly timeoutMs: number;
  readonly log: ClusterLog;
  readonly counters: RoomRouteCounters;
}

/** Largest wire size of one hand-off when the server does not say (NATS's default max_payload). */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Room for the NATS protocol around the payload (subject, reply inbox, headers). */
const PAYLOAD_MARGIN = 4 * 1024;
/** Attempts per budget: a lost message or a slow ack is retried this many times at most. */
const ATTEMPTS = 4;
/** The pause before another attempt after a refusal (e.g. no responders yet). */
const RETRY_PAUSE_MS = 20;

/**
 * The old owner's side of a graceful move: for each room that moved away, export it from the
 * shard (in FIFO order after what the room was told before, so its last replies and fan-out
 * messages are out first), then send its state to the new owner on the same NATS connection
 * (after those fan-out messages) and retry until the new owner acks, the ring gives the room to
 * nobody else, or `timeoutMs` passes. `busy` says whether any hand-off is still in progress: the
 * node keeps claiming its old rooms (PeerClaims) until it is not.
 */
export class HandoffOutbox {
  readonly #o: HandoffOutboxOptions;
  readonly #active = new Set<string>();
  readonly #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(options: HandoffOutboxOptions) {
    this.#o = options;
  }

  get busy(): boolean {
    return this.#active.size > 0;
  }

  has(roomKey: string): boolean {
    return this.#active.has(roomKey);
  }

  /** Resolves when no hand-off is in progress, or after `ms`. */
  idle(ms: number): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#idleWaiters.push(done);
    });
  }

  /** Hands `roomKey` over to its new owner (once; a second call while it runs is ignored). */
  handOver(roomKey: string): void {
    if (this.#closed || this.#active.has(roomKey)) return;
    this.#active.add(roomKey);
    const startedAt = performance.now();
    let exported = false;
    // A shard that never answers must not keep the room claimed for ever.
    const timer = setTimeout(() => {
      if (exported) return;
      exported = true;
      this.#fail(roomKey, new ClusterError('ARQ_ERR_CLUSTER_STATE', 'the room export timed out'));
    }, this.#o.timeoutMs);
    const done = (error: Error | null, state: RoomState | null): void => {
      if (exported) return;
      exported = true;
      clearTimeout(timer);
      this.#o.onExported(roomKey);
      if (error !== null) return this.#fail(roomKey, error);
      if (state === null) return this.#end(roomKey); // nothing here to hand over
      this.#send(roomKey, state, startedAt, 1);
    };
    try {
      this.#o.exportRoom(roomKey, done);
    } catch (error) {
      done(asError(error), null);
    }
  }

  close(): void {
    this.#closed = true;
    this.#active.clear();
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #send(roomKey: string, state: RoomState, startedAt: number, attempt: number): void {
    if (this.#closed) return;
    const to = this.#o.ownerOf(roomKey);
    if (to === this.#o.self) {
      this.#o.keep(roomKey, state);
      return this.#end(roomKey);
    }
    const left = this.#o.timeoutMs - (performance.now() - startedAt);
    if (to === null || left <= 0 || attempt > ATTEMPTS) {
      const why = to === null ? 'no node owns the room' : 'the new owner did not ack in time';
      return this.#fail(roomKey, new ClusterError('ARQ_ERR_CLUSTER_STATE', why));
    }
    const nc = this.#o.connection;
    const tenant = tenantOfKey(roomKey);
    const room = roomOfKey(roomKey);
    const maxBytes = (nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - PAYLOAD_MARGIN;
    let bytes: Uint8Array;
    try {
      bytes = fitRoomHandoff({ tenant, room, from: this.#o.self, state }, maxBytes);
    } catch (error) {
      return this.#fail(roomKey, asError(error));
    }
    const timeout = Math.max(1, Math.ceil(left / (ATTEMPTS - attempt + 1)));
    // nc.request publishes at once: on this connection, after the room's fan-out messages.
    nc.request(roomHandoffSubject(tenant, to, room), bytes, { timeout }).then(
      (msg) => {
        try {
          decodeHandoffAck(msg.data);
        } catch (error) {
          this.#o.counters.malformed += 1;
          this.#o.log({ type: 'malformed', subject: msg.subject, error: asError(error) });
          return this.#send(roomKey, state, startedAt, attempt + 1);
        }
        this.#o.counters.handoffsSent += 1;
        this.#end(roomKey);
      },
      // No responders, a timeout or a closed connection: again, to whoever owns it by then.
      () => setTimeout(() => this.#send(roomKey, state, startedAt, attempt + 1), RETRY_PAUSE_MS),
    );
  }

  #fail(roomKey: string, error: Error): void {
    this.#o.counters.handoffsFailed += 1;
    this.#o.log({ type: 'handoff_failed', roomKey, error });
    this.#end(roomKey);
  }

  #end(roomKey: string): void {
    if (!this.#active.delete(roomKey) || this.#active.size > 0 || this.#closed) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
    this.#o.onIdle();
  }
}

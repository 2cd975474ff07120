import {
  createInbox,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { asError, ClusterError, type ClusterLog } from '../base/index.js';
import { decodeRoomReply, type RoomReply, RoomRouteError } from '../wire/index.js';
import type { RoomRouteCounters } from './cluster-rooms-event.js';

/** Gets an owner's answer: a reply (never `failed`: that comes as the error) or why there is none. */
export type RouteCallback = (error: RoomRouteError | null, reply: RoomReply | null) => void;

interface Pending {
  readonly subject: string;
  readonly deadline: number;
  readonly done: RouteCallback;
}

/** NATS's "no responders" status: nobody subscribes to the subject (the owner is gone). */
const NO_RESPONDERS = 503;
const MIN_SWEEP_MS = 5;
const MAX_SWEEP_MS = 250;

/**
 * Request/reply to room owners over one inbox subscription of this node's connection, with a
 * callback subscription rather than `nc.request()`: nats.js runs callback subscriptions
 * synchronously as it parses, in the order the server sent, so an owner's reply is handled before
 * the fan-out messages the owner published after it (a promise would resolve a microtask later,
 * after the fan-out of the same read). That order is what lets a joiner be subscribed before its
 * first live message.
 *
 * Every request ends exactly once: its reply, NATS's no-responders status (the owner has no
 * subscription: gone), a malformed reply, its timeout (a periodic sweep; all requests share one
 * timeout, so the pending map is in deadline order), or `close()`.
 */
export class RoomRequester {
  readonly #nc: NatsConnection;
  readonly #timeoutMs: number;
  readonly #log: ClusterLog;
  readonly #counters: RoomRouteCounters;
  readonly #pending = new Map<number, Pending>();
  #prefix = '';
  #sub: Subscription | null = null;
  #sweep: NodeJS.Timeout | null = null;
  #next = 1;
  #closed = false;

  constructor(nc: NatsConnection, timeoutMs: number, log: ClusterLog, counters: RoomRouteCounters) {
    this.#nc = nc;
    this.#timeoutMs = timeoutMs;
    this.#log = log;
    this.#counters = counters;
  }

  get pending(): number {
    return this.#pending.size;
  }

  start(): void {
    if (this.#sub !== null || this.#closed) {
      throw new ClusterError('ARQ_ERR_CLUSTER_STATE', 'the room requester is already started');
    }
    this.#prefix = createInbox();
    this.#sub = this.#nc.subscribe(`${this.#prefix}.*`, {
      callback: (err, msg) => this.#onReply(err, msg),
    });
    const sweepMs = Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, Math.floor(this.#timeoutMs / 5)));
    this.#sweep = setInterval(() => this.#expire(performance.now()), sweepMs);
    this.#sweep.unref();
  }

  /** Sends `data` to `subject`; `done` runs exactly once, never synchronously. */
  request(subject: string, data: Uint8Array, done: RouteCallback): void {
    if (this.#closed || this.#sub === null) {
      queueMicrotask(() => done(stopped(), null));
      return;
    }
    const id = this.#next;
    this.#next = id >= Number.MAX_SAFE_INTEGER ? 1 : id + 1;
    this.#pending.set(id, { subject, deadline: performance.now() + this.#timeoutMs, done });
    try {
      this.#nc.publish(subject, data, { reply: `${this.#prefix}.${id}` });
      this.#counters.requestsSent += 1;
    } catch (err) {
      this.#pending.delete(id);
      this.#counters.routeFailures += 1;
      this.#log({ type: 'publish_failed', subject, error: asError(err) });
      const error = new RoomRouteError('ARQ_ERR_SHARD_DOWN', 'the room owner cannot be reached', {
        cause: err,
      });
      queueMicrotask(() => done(error, null));
    }
  }

  /** Fails every request in flight with ARQ_ERR_SHARD_STOPPED and stops listening. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweep !== null) clearInterval(this.#sweep);
    this.#sweep = null;
    try {
      this.#sub?.unsubscribe();
    } catch {
      // the connection is closed already: the subscription went with it
    }
    this.#sub = null;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) settle(request.done, stopped(), null, this.#log);
  }

  #onReply(err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.#log({ type: 'subscription_failed', subject: `${this.#prefix}.*`, error: err });
      return;
    }
    const id = Number(msg.subject.slice(this.#prefix.length + 1));
    const request = this.#pending.get(id);
    if (request === undefined) return; // came after its timeout
    this.#pending.delete(id);
    if (msg.data.length === 0 && msg.headers?.code === NO_RESPONDERS) {
      this.#counters.routeFailures += 1;
      const error = new RoomRouteError('ARQ_ERR_SHARD_DOWN', 'no node answers for the room');
      settle(request.done, error, null, this.#log);
      return;
    }
    let reply: RoomReply;
    try {
      reply = decodeRoomReply(msg.data);
    } catch (error) {
      this.#counters.malformed += 1;
      this.#log({ type: 'malformed', subject: msg.subject, error: asError(error) });
      const failure = new RoomRouteError('ARQ_ERR_CLUSTER_MALFORMED', 'malformed owner reply', {
        cause: error,
      });
      settle(request.done, failure, null, this.#log);
      return;
    }
    if (reply.type === 'failed') {
      settle(request.done, new RoomRouteError(reply.code, reply.message), null, this.#log);
    } else {
      settle(request.done, null, reply, this.#log);
    }
  }

  #expire(now: number): void {
    for (const [id, request] of this.#pending) {
      if (request.deadline > now) return;
      this.#pending.delete(id);
      this.#counters.routeFailures += 1;
      const error = new RoomRouteError(
        'ARQ_ERR_SHARD_DOWN',
        `the room owner did not answer within ${this.#timeoutMs} ms`,
      );
      settle(request.done, error, null, this.#log);
    }
  }
}

function stopped(): RoomRouteError {
  return new RoomRouteError('ARQ_ERR_SHARD_STOPPED', 'the cluster rooms are closed');
}

/** Runs a caller's callback; its bug must not stop the other replies of the same read. */
function settle(
  done: RouteCallback,
  error: RoomRouteError | null,
  reply: RoomReply | null,
  log: ClusterLog,
): void {
  try {
    done(error, reply);
  } catch (thrown) {
    log({ type: 'listener_failed', error: thrown });
  }
}

import type { Msg, NatsConnection, Status, Subscription } from '@nats-io/transport-node';
import { asError, ClusterError } from '../base/index.js';
import type { MemberId } from '../wire/index.js';
import {
  CLUSTER_HEARTBEAT_SUBJECT,
  type ClusterMessage,
  encodeClusterMessage,
  parseClusterMessage,
} from '../wire/index.js';
import type {
  MembershipEvent,
  MembershipListener,
  MembershipState,
  MembershipStats,
  PeerInfo,
} from './membership-event.js';
import {
  type MembershipOptions,
  type ResolvedMembershipOptions,
  resolveMembershipOptions,
} from './membership-options.js';
import { type PeerChange, PeerTable } from './peer-table.js';

interface Waiter {
  resolve(): void;
  reject(err: ClusterError): void;
}

type Counters = { -readonly [K in keyof MembershipStats]: MembershipStats[K] };

/**
 * Cluster membership over NATS. Each node publishes a heartbeat every `heartbeatMs` on
 * `arq.cluster.hb`; a peer silent for `downAfterMs` (judged by this node's monotonic clock) is
 * down, a heartbeat from a newer incarnation of a known node is a restart, and a `leaving` message
 * drops a peer at once. `members()` is the live set, this node included.
 *
 * Silence is not held against peers while this node's own NATS connection is down: the checks
 * pause, and on reconnect every live peer gets a fresh `downAfterMs` to be heard again. A peer
 * that was marked down comes back `up` with its next heartbeat. A tick that comes late (this
 * process stalled, e.g. under a long GC) skips its silence check too: the heartbeats that queued
 * up meanwhile are read before the next one.
 */
export class Membership {
  readonly #o: ResolvedMembershipOptions;
  readonly #self: MemberId;
  readonly #peers = new PeerTable();
  readonly #listeners = new Set<MembershipListener>();
  readonly #payloads = new Map<string, () => unknown>();
  readonly #waiters: Waiter[] = [];
  readonly #stats: Counters = {
    heartbeatsSent: 0,
    heartbeatsReceived: 0,
    malformed: 0,
    stale: 0,
    conflicts: 0,
  };
  #state: MembershipState = 'idle';
  #sub: Subscription | null = null;
  #status: AsyncIterable<Status> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #seq = 0;
  #lastTick = 0;
  /** When `joining` may turn `ready`: one heartbeat period after we could hear everyone. */
  #joinedAt = 0;

  constructor(options: MembershipOptions) {
    this.#o = resolveMembershipOptions(options);
    this.#self = { node: this.#o.node, incarnation: this.#o.incarnation };
  }

  get self(): MemberId {
    return { ...this.#self };
  }

  get state(): MembershipState {
    return this.#state;
  }

  /** True once joined and while connected: what `/readyz` answers 200 on. */
  get ready(): boolean {
    return this.#state === 'ready';
  }

  get heartbeatMs(): number {
    return this.#o.heartbeatMs;
  }

  get downAfterMs(): number {
    return this.#o.downAfterMs;
  }

  /** The live set: this node and every peer that is up, sorted by node id. */
  members(): MemberId[] {
    const live: MemberId[] = [{ ...this.#self }, ...this.#peers.live()];
    return live.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }

  /** The node ids of `members()`, for the ring. */
  nodes(): string[] {
    return this.members().map((m) => m.node);
  }

  /** Every peer this node remembers (live, down or departed). */
  peers(): PeerInfo[] {
    return this.#peers.snapshot(performance.now());
  }

  stats(): MembershipStats {
    return { ...this.#stats };
  }

  /** Adds a listener; returns the function that removes it. */
  on(listener: MembershipListener): () => void {
    if (typeof listener !== 'function') {
      throw new ClusterError('ARQ_ERR_CLUSTER_OPTIONS', 'listener must be a function');
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Attaches a named part to every heartbeat from now on: `provider()` is called per heartbeat and
   * its JSON-serialisable result goes under `payload[name]` (omitted when undefined). Returns the
   * function that detaches it.
   */
  setPayload(name: string, provider: () => unknown): () => void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new ClusterError('ARQ_ERR_CLUSTER_OPTIONS', 'payload name must be a non-empty string');
    }
    if (typeof provider !== 'function') {
      throw new ClusterError('ARQ_ERR_CLUSTER_OPTIONS', 'payload provider must be a function');
    }
    this.#payloads.set(name, provider);
    return () => {
      if (this.#payloads.get(name) === provider) this.#payloads.delete(name);
    };
  }

  /**
   * Subscribes, sends the first heartbeat and starts the period. Resolves once the server has the
   * subscription; `whenReady()` resolves one heartbeat period later.
   */
  async start(): Promise<void> {
    if (this.#state !== 'idle') {
      throw new ClusterError(
        'ARQ_ERR_CLUSTER_STATE',
        `start() on a membership that is ${this.#state}`,
      );
    }
    const nc = this.#o.connection;
    this.#state = 'joining';
    try {
      this.#sub = nc.subscribe(CLUSTER_HEARTBEAT_SUBJECT, {
        callback: (err, msg) => this.#onMessage(err, msg),
      });
      this.#watchStatus(nc);
      await nc.flush();
    } catch (err) {
      this.#shutdown('closed');
      throw new ClusterError('ARQ_ERR_CLUSTER_STATE', 'membership could not subscribe', {
        cause: err,
      });
    }
    if (this.#state !== 'joining' && this.#state !== 'disconnected') return; // closed meanwhile
    const now = performance.now();
    this.#joinedAt = now + this.#o.heartbeatMs;
    this.#lastTick = now;
    this.#publishHeartbeat();
    this.#timer = setInterval(() => this.#tick(), this.#o.heartbeatMs);
  }

  /**
   * Sends a heartbeat now, besides the periodic ones, so that a payload part that changed (e.g.
   * the rooms this node claims) reaches peers at once. Nothing while not joined or connected.
   */
  beat(): void {
    if (this.#state === 'joining' || this.#state === 'ready') this.#publishHeartbeat();
  }

  /** Resolves when the state is `ready`; rejects if the membership stops first. */
  whenReady(): Promise<void> {
    if (this.#state === 'ready') return Promise.resolve();
    if (this.#state === 'left' || this.#state === 'closed') {
      return Promise.reject(notRunning(this.#state));
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /**
   * Graceful stop: tells peers this node is leaving (they drop it at once), waits for the server
   * to take the message (at most `downAfterMs`: after that peers time us out anyway), then stops.
   */
  async leave(): Promise<void> {
    if (this.#state === 'left' || this.#state === 'closed') return;
    if (this.#state !== 'idle') {
      this.#publish({
        type: 'leaving',
        node: this.#self.node,
        incarnation: this.#self.incarnation,
        ts: Date.now(),
      });
      this.#shutdown('left');
      await flushWithin(this.#o.connection, this.#o.downAfterMs);
      return;
    }
    this.#shutdown('left');
  }

  /** Stops without a word to peers (they will find it silent); the connection stays open. */
  async close(): Promise<void> {
    if (this.#state === 'left' || this.#state === 'closed') return;
    this.#shutdown('closed');
  }

  #shutdown(state: 'left' | 'closed'): void {
    this.#state = state;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    try {
      this.#sub?.unsubscribe();
    } catch {
      // the connection is already closed: nothing to undo
    }
    this.#sub = null;
    stopIterator(this.#status);
    this.#status = null;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(notRunning(state));
  }

  #tick(): void {
    const now = performance.now();
    const late = now - this.#lastTick > 2 * this.#o.heartbeatMs;
    this.#lastTick = now;
    if (this.#state === 'disconnected') return;
    this.#publishHeartbeat();
    const { downAfterMs, forgetAfterMs } = this.#o;
    for (const event of this.#peers.sweep(now, downAfterMs, forgetAfterMs, !late)) {
      this.#emit(event);
    }
    if (this.#state === 'joining' && now >= this.#joinedAt) {
      this.#state = 'ready';
      for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    }
  }

  #onMessage(err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.#o.log({ type: 'subscription_failed', subject: CLUSTER_HEARTBEAT_SUBJECT, error: err });
      return;
    }
    let message: ClusterMessage;
    try {
      message = parseClusterMessage(msg.data);
    } catch (error) {
      this.#stats.malformed += 1;
      this.#o.log({ type: 'malformed', subject: msg.subject, error: asError(error) });
      return;
    }
    if (this.#state === 'idle' || this.#state === 'left' || this.#state === 'closed') return;
    if (message.node === this.#self.node) {
      if (message.incarnation !== this.#self.incarnation && message.type === 'heartbeat') {
        this.#stats.conflicts += 1;
        this.#o.log({
          type: 'node_id_conflict',
          node: message.node,
          incarnation: message.incarnation,
        });
      }
      return; // our own echo
    }
    const member: MemberId = { node: message.node, incarnation: message.incarnation };
    const now = performance.now();
    if (message.type === 'leaving') {
      this.#apply(this.#peers.leaving(member, now));
      return;
    }
    this.#stats.heartbeatsReceived += 1;
    const change = this.#peers.heartbeat(member, now);
    if (!this.#apply(change)) return;
    this.#emit({ type: 'heartbeat', member, payload: message.payload });
    // A newcomer hears from us now, not at our next tick: it declares itself joined one heartbeat
    // period after its first beat, and a peer whose tick runs late (a loaded machine) would be
    // missing from its ring then, placing rooms where the others do not. Each side answers a new
    // life once, so this ends.
    if (typeof change === 'object' && (change?.type === 'up' || change?.type === 'restarted'))
      this.beat();
  }

  /** Emits what a message changed; false when the message was stale (and is to be ignored). */
  #apply(change: PeerChange): boolean {
    if (change === 'stale') {
      this.#stats.stale += 1; // a late message of a dead or departed life
      return false;
    }
    if (change !== null) this.#emit(change);
    return true;
  }

  #publishHeartbeat(): void {
    const payload: Record<string, unknown> = {};
    for (const [name, provider] of this.#payloads) {
      try {
        const value = provider();
        if (value !== undefined) payload[name] = value;
      } catch (error) {
        this.#o.log({ type: 'listener_failed', error });
      }
    }
    this.#seq += 1;
    const sent = this.#publish({
      type: 'heartbeat',
      node: this.#self.node,
      incarnation: this.#self.incarnation,
      seq: this.#seq,
      ts: Date.now(),
      payload,
    });
    if (sent) this.#stats.heartbeatsSent += 1;
  }

  #publish(message: ClusterMessage): boolean {
    try {
      this.#o.connection.publish(CLUSTER_HEARTBEAT_SUBJECT, encodeClusterMessage(message));
      return true;
    } catch (error) {
      this.#o.log({
        type: 'publish_failed',
        subject: CLUSTER_HEARTBEAT_SUBJECT,
        error: asError(error),
      });
      return false;
    }
  }

  #emit(event: MembershipEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#o.log({ type: 'listener_failed', error });
      }
    }
  }

  #watchStatus(nc: NatsConnection): void {
    const status = nc.status();
    this.#status = status;
    void (async () => {
      try {
        for await (const s of status) this.#onStatus(s);
      } catch {
        // the iterator ends with the connection; nothing is waiting on it
      }
    })();
  }

  #onStatus(status: Status): void {
    if (status.type === 'disconnect') {
      if (this.#state === 'joining' || this.#state === 'ready') this.#state = 'disconnected';
    } else if (status.type === 'reconnect') {
      if (this.#state !== 'disconnected') return;
      // Peers get a fresh downAfterMs from now: their silence was our outage.
      const now = performance.now();
      this.#peers.forgiveSilence(now);
      this.#state = 'joining';
      this.#joinedAt = now + this.#o.heartbeatMs;
      this.#publishHeartbeat();
    }
  }
}

function notRunning(state: MembershipState): ClusterError {
  return new ClusterError('ARQ_ERR_CLUSTER_STATE', `membership is ${state}`);
}

/** Ends a status iterator so that its loop finishes (the type hides `stop`, the object has it). */
function stopIterator(iterable: AsyncIterable<Status> | null): void {
  const stoppable = iterable as { stop?: unknown } | null;
  if (stoppable !== null && typeof stoppable.stop === 'function') stoppable.stop();
}

/** Waits for the server to have everything sent so far, but not longer than `ms`. */
async function flushWithin(nc: NatsConnection, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([nc.flush().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

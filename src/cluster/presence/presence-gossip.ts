import type { Msg, Subscription } from '@nats-io/transport-node';
import {
  type PresenceChanges,
  type PresenceDelta,
  type ReplicaId,
  replicaKey,
} from '../../../actors/index.js';
import { asError, ClusterError } from '../base/index.js';
import type { MembershipEvent } from '../membership/index.js';
import type { HeartbeatPayload } from '../wire/index.js';
import {
  decodePresenceDelta,
  decodeStateRequest,
  encodePresenceDelta,
  encodeStateRequest,
  PRESENCE_DELTA_SUBJECT,
  presenceClockOf,
  presenceStateSubject,
} from '../wire/index.js';
import {
  type PresenceGossipOptions,
  type ResolvedPresenceGossipOptions,
  resolvePresenceGossipOptions,
} from './presence-gossip-options.js';

/** The heartbeat payload part the gossip attaches: `{ presence: { clock } }`. */
export const PRESENCE_PAYLOAD_PART = 'presence';

export interface PresenceGossipStats {
  readonly deltasSent: number;
  readonly deltasReceived: number;
  /** Deltas, states, requests or heartbeat parts that did not parse: dropped. */
  readonly malformed: number;
  /** Merges the state ignored (a stale or purged sender). */
  readonly ignored: number;
  readonly pulls: number;
  readonly pullFailures: number;
  readonly statesServed: number;
}

type Counters = { -readonly [K in keyof PresenceGossipStats]: PresenceGossipStats[K] };

interface Suspect {
  readonly replica: ReplicaId;
  /** The tick at which the gap was seen; a pull waits one whole period for in-flight deltas. */
  since: number;
}

/**
 * Presence replication between nodes, in the way of Phoenix.Tracker, around the node's
 * `PresenceState` replica:
 *
 * - every `broadcastMs` the local writes since the last period go out as one delta on
 *   `arq.presence.delta` (nothing is sent when there were none);
 * - heartbeats advertise the clock of the last delta sent (not the current clock, so that a write
 *   still waiting for its period does not look lost); the same connection carries the delta
 *   before the heartbeat, so a receiver that is behind the advertised clock really missed writes;
 * - a gap seen in a merge, or a peer's clock ahead of what was received, makes the node pull the
 *   peer's full state over request/reply on `arq.presence.state.<node>`, once the gap outlived one
 *   whole period (a reordered delta fills it without a pull); failed pulls are retried;
 * - a peer that Membership declares down has its entries hidden (leaves go to `onChanges`) and
 *   purged `purgeAfterMs` later; a peer that leaves is purged at once; a restarted peer's old
 *   incarnation is purged, so its entries never linger as ghosts.
 *
 * Inbound payloads are checked with `parsePresenceDelta`; bad ones are counted, logged, dropped.
 * Start the gossip before the membership, so that no membership event goes unseen.
 */
export class PresenceGossip {
  readonly #o: ResolvedPresenceGossipOptions;
  readonly #self: ReplicaId;
  /** replicaKey -> the clock its last heartbeat advertised. */
  readonly #advertised = new Map<string, number>();
  readonly #suspects = new Map<string, Suspect>();
  readonly #inflight = new Set<string>();
  readonly #purgeTimers = new Map<string, NodeJS.Timeout>();
  readonly #subs: Subscription[] = [];
  readonly #stats: Counters = {
    deltasSent: 0,
    deltasReceived: 0,
    malformed: 0,
    ignored: 0,
    pulls: 0,
    pullFailures: 0,
    statesServed: 0,
  };
  #running: 'idle' | 'running' | 'closed' = 'idle';
  #timer: NodeJS.Timeout | null = null;
  #ticks = 0;
  #broadcastClock = 0;
  #detach: (() => void)[] = [];

  constructor(options: PresenceGossipOptions) {
    this.#o = resolvePresenceGossipOptions(options);
    this.#self = this.#o.state.replica;
  }

  stats(): PresenceGossipStats {
    return { ...this.#stats };
  }

  /** The clock of the last delta sent: what this node's heartbeats advertise. */
  get broadcastClock(): number {
    return this.#broadcastClock;
  }

  /** Subscribes (deltas, state requests), hooks into the membership and starts the period. */
  async start(): Promise<void> {
    if (this.#running !== 'idle') {
      throw new ClusterError(
        'ARQ_ERR_CLUSTER_STATE',
        `start() on a gossip that is ${this.#running}`,
      );
    }
    this.#running = 'running';
    const nc = this.#o.connection;
    const membership = this.#o.membership;
    this.#detach.push(membership.on((event) => this.#onMembership(event)));
    this.#detach.push(
      membership.setPayload(PRESENCE_PAYLOAD_PART, () => ({ clock: this.#broadcastClock })),
    );
    try {
      this.#subs.push(
        nc.subscribe(PRESENCE_DELTA_SUBJECT, { callback: (err, msg) => this.#onDelta(err, msg) }),
        nc.subscribe(presenceStateSubject(this.#self.node), {
          callback: (err, msg) => this.#onStateRequest(err, msg),
        }),
      );
      await nc.flush();
    } catch (err) {
      await this.close();
      throw new ClusterError('ARQ_ERR_CLUSTER_STATE', 'presence gossip could not subscribe', {
        cause: err,
      });
    }
    if (this.#running !== 'running') return; // closed meanwhile
    this.#timer = setInterval(() => this.#tick(), this.#o.broadcastMs);
  }

  /** Sends the pending delta now (e.g. before a graceful leave) instead of at the next period. */
  broadcast(): void {
    if (this.#running !== 'running') return;
    const delta = this.#o.state.takeDelta();
    // Advertised even if the publish fails: peers then see the gap and pull.
    this.#broadcastClock = this.#o.state.clock;
    if (delta === null) return;
    try {
      this.#o.connection.publish(PRESENCE_DELTA_SUBJECT, encodePresenceDelta(delta));
      this.#stats.deltasSent += 1;
    } catch (error) {
      this.#o.log({
        type: 'publish_failed',
        subject: PRESENCE_DELTA_SUBJECT,
        error: asError(error),
      });
    }
  }

  /** Stops the period, the subscriptions and the purge timers; the state is left as it is. */
  async close(): Promise<void> {
    if (this.#running === 'closed') return;
    this.#running = 'closed';
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    for (const detach of this.#detach.splice(0)) detach();
    for (const sub of this.#subs.splice(0)) {
      try {
        sub.unsubscribe();
      } catch {
        // the connection is already closed: nothing to undo
      }
    }
    for (const timer of this.#purgeTimers.values()) clearTimeout(timer);
    this.#purgeTimers.clear();
  }

  #tick(): void {
    this.#ticks += 1;
    this.broadcast();
    for (const [key, suspect] of this.#suspects) {
      if (this.#ticks - suspect.since < 2 || this.#inflight.has(key)) continue;
      const status = this.#o.state.replicaStatus(suspect.replica);
      if (status === 'down') continue; // unreachable for now; its `up` brings it back
      if (!this.#o.state.needsFullState(suspect.replica, this.#advertised.get(key) ?? 0)) {
        this.#suspects.delete(key);
        continue;
      }
      this.#pull(key, suspect);
    }
  }

  #pull(key: string, suspect: Suspect): void {
    const { replica } = suspect;
    this.#inflight.add(key);
    this.#stats.pulls += 1;
    this.#o.connection
      .request(presenceStateSubject(replica.node), encodeStateRequest(this.#self), {
        timeout: this.#o.requestTimeoutMs,
      })
      .then((msg) => {
        const state = decodePresenceDelta(msg.data);
        if (state.node !== replica.node) {
          throw new ClusterError(
            'ARQ_ERR_CLUSTER_MALFORMED',
            `state reply from ${replica.node} speaks for ${state.node}`,
          );
        }
        if (this.#running === 'running') this.#merge(state);
      })
      .catch((error: unknown) => {
        this.#stats.pullFailures += 1;
        this.#o.log({ type: 'state_pull_failed', node: replica.node, error: asError(error) });
      })
      .finally(() => {
        this.#inflight.delete(key);
        // Still behind (a failed pull, or writes since): try again after another period.
        suspect.since = this.#ticks;
      });
  }

  #onDelta(err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.#o.log({ type: 'subscription_failed', subject: PRESENCE_DELTA_SUBJECT, error: err });
      return;
    }
    let delta: PresenceDelta;
    try {
      delta = decodePresenceDelta(msg.data);
    } catch (error) {
      this.#malformed(msg.subject, error);
      return;
    }
    if (delta.node === this.#self.node) return; // our own broadcast, echoed
    this.#stats.deltasReceived += 1;
    this.#merge(delta);
  }

  #onStateRequest(err: Error | null, msg: Msg): void {
    if (err !== null) {
      this.#o.log({ type: 'subscription_failed', subject: msg?.subject ?? '', error: err });
      return;
    }
    try {
      decodeStateRequest(msg.data);
    } catch (error) {
      this.#malformed(msg.subject, error);
      return;
    }
    if (msg.reply === undefined || msg.reply.length === 0) return; // nobody to answer
    try {
      msg.respond(encodePresenceDelta(this.#o.state.extractState()));
      this.#stats.statesServed += 1;
    } catch (error) {
      this.#o.log({ type: 'publish_failed', subject: msg.reply, error: asError(error) });
    }
  }

  #merge(delta: PresenceDelta): void {
    const result = this.#o.state.merge(delta);
    if (result.outcome !== 'applied') this.#stats.ignored += 1;
    this.#emit(result.changes);
    if (result.gap) this.#suspect({ node: delta.node, incarnation: delta.incarnation });
  }

  #onMembership(event: MembershipEvent): void {
    const state = this.#o.state;
    switch (event.type) {
      case 'up':
        this.#cancelPurge(event.member);
        this.#emit(state.replicaUp(event.member));
        return;
      case 'down':
        this.#emit(state.replicaDown(event.member));
        this.#schedulePurge(event.member);
        return;
      case 'leaving':
        this.#emit(state.replicaDown(event.member));
        this.#purge(event.member);
        return;
      case 'restarted':
        this.#purge(event.previous);
        this.#emit(state.replicaUp(event.member));
        return;
      case 'heartbeat':
        this.#onHeartbeat(event.member, event.payload);
        return;
    }
  }

  #onHeartbeat(member: ReplicaId, payload: HeartbeatPayload): void {
    let clock: number | null;
    try {
      clock = presenceClockOf(payload[PRESENCE_PAYLOAD_PART]);
    } catch (error) {
      this.#malformed('heartbeat', error);
      return;
    }
    if (clock === null) return; // a peer without presence gossip
    this.#advertised.set(replicaKey(member), clock);
    if (this.#o.state.needsFullState(member, clock)) this.#suspect(member);
  }

  #suspect(replica: ReplicaId): void {
    const key = replicaKey(replica);
    if (!this.#suspects.has(key)) this.#suspects.set(key, { replica, since: this.#ticks });
  }

  #schedulePurge(replica: ReplicaId): void {
    this.#cancelPurge(replica);
    const timer = setTimeout(() => this.#purge(replica), this.#o.purgeAfterMs);
    this.#purgeTimers.set(replicaKey(replica), timer);
  }

  #cancelPurge(replica: ReplicaId): void {
    const key = replicaKey(replica);
    const timer = this.#purgeTimers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.#purgeTimers.delete(key);
  }

  #purge(replica: ReplicaId): void {
    this.#cancelPurge(replica);
    const key = replicaKey(replica);
    this.#advertised.delete(key);
    this.#suspects.delete(key);
    this.#emit(this.#o.state.purge(replica));
  }

  #emit(changes: PresenceChanges): void {
    if (changes.size === 0) return;
    try {
      this.#o.onChanges(changes);
    } catch (error) {
      this.#o.log({ type: 'listener_failed', error });
    }
  }

  #malformed(subject: string, error: unknown): void {
    this.#stats.malformed += 1;
    this.#o.log({ type: 'malformed', subject, error: asError(error) });
  }
}

import { randomBytes } from 'node:crypto';
import type { PolicyGate } from '../../actors/index.js';
import {
  type ConnectionHost,
  formatIncarnation,
  type JoinAnswer,
  PresenceStateFrames,
  PresenceTracker,
  type ResumeFrom,
  type RoomGateway,
  toWirePresences,
} from '../../actors/index.js';
import { TokenBucket } from '../../actors/limits/index.js';
import { WireError } from '../../proto/wire/index.js';
import { type Child, type ExitReason, Supervisor } from '../../supervision/index.js';
import { type Principal, TokenVerifier } from '../auth/index.js';
import type { LocalRooms } from '../cluster/index.js';
import type { NodeConfig } from '../config/index.js';
import { EdgeServer, httpRoutes, type Readiness } from '../edge/index.js';
import { NodeMetrics } from '../metrics/index.js';
import {
  DEFAULT_POLICY_LIMITS,
  KvPolicyLedger,
  LocalPolicyLedger,
  PolicyCompiler,
  PolicyHost,
  type PolicyLedger,
  type PolicyLimits,
  parseTimeoutMs,
  RefusingPolicyLedger,
  type RunnerPolicy,
  WASM_PAGE_BYTES,
} from '../policy/index.js';
import {
  type ShardPool,
  ShardPool as ShardPoolClass,
  type ShardPoolEvent,
} from '../shard/index.js';
import { IdleCollector } from './idle-collector.js';
import { NodeCluster } from './node-cluster.js';
import { NodeError } from './node-error.js';
import { type LogSink, NodeLog, STDERR_SINK } from './node-log.js';
import { roomStorageOption } from './room-storage-option.js';
import { verifierOptions } from './verifier-options.js';

export interface ArqonNodeOptions {
  readonly config: NodeConfig;
  /** HS256 secret made up for --dev (accepted besides the configured keys). */
  readonly devSecret?: string | null;
  /** Receives the log lines at or above `log-level` (shard restarts, failures); default: stderr. */
  readonly log?: LogSink;
}

/** Root supervisor: a crash loop of the shard pool past this fails the node (exit non-zero). */
const ROOT_MAX_RESTARTS = 2;
const ROOT_PERIOD_MS = 60_000;

/**
 * One ArqonBus node: the edge (uWS, connections, presence) in this thread and the shard pool under
 * the root supervisor. The node is the ConnectionHost its connections use.
 */
export class ArqonNode implements ConnectionHost {
  readonly #config: NodeConfig;
  readonly #verifier: TokenVerifier;
  readonly #log: NodeLog;
  readonly #metrics: NodeMetrics;
  readonly #presence: PresenceTracker;
  readonly #edge: EdgeServer;
  readonly #root: Supervisor;
  readonly #tenantBuckets = new Map<string, TokenBucket>();
  // Sortable by start time: peers tell a restart of this node from a stale heartbeat by it.
  readonly #incarnation = formatIncarnation(Date.now(), randomBytes(4).toString('hex'));
  #cluster: NodeCluster | null = null;
  #pool: ShardPool | null = null;
  #idleCollector: IdleCollector | null = null;
  #readiness: Readiness = 'starting';
  readonly #policyLimits: PolicyLimits;
  readonly #policies: PolicyHost;
  /** The set the shards hold, handed to a pool that starts afresh. */
  #deployed: readonly RunnerPolicy[] = [];

  readonly limits: ConnectionHost['limits'];
  readonly rooms: RoomGateway;
  readonly policy: PolicyGate;
  readonly presenceStates: PresenceStateFrames;

  constructor(options: ArqonNodeOptions) {
    const config = options.config;
    this.#config = config;
    this.#log = new NodeLog(config.logLevel, options.log ?? STDERR_SINK);
    this.#verifier = new TokenVerifier(verifierOptions(config, options.devSecret ?? null));
    this.#metrics = new NodeMetrics(config.nodeId);
    this.#metrics.setRoomsSource(() => this.#countRooms());
    this.limits = {
      heartbeatMs: config.heartbeatMs,
      maxFrameBytes: config.maxFrameBytes,
      maxRoomsPerConnection: config.maxRoomsPerConnection,
      publishRate: config.publishRate,
      publishBurst: config.publishBurst,
      historyRate: config.historyRate,
      historyBurst: config.historyBurst,
      badFrameBudget: config.badFrameBudget,
      maxSendBufferBytes: config.maxSendBufferBytes,
    };
    this.rooms = this.#gateway();
    this.#policyLimits = {
      ...DEFAULT_POLICY_LIMITS,
      maxMemoryPages: (config.policyMemoryMb * 1024 * 1024) / WASM_PAGE_BYTES,
    };
    this.#policies = new PolicyHost({
      compiler: new PolicyCompiler({ limits: this.#policyLimits, mode: config.policyCompile }),
      limits: this.#policyLimits,
      metrics: this.#metrics,
      log: (line) => this.#log.warn(line),
      deploy: (policies) => {
        this.#deployed = policies;
        return this.#pool?.deployPolicies(policies) ?? Promise.resolve();
      },
      connections: () => this.#edge.liveConnections(),
    });
    const policies = this.#policies;
    this.policy = {
      guards: (hook, tenant) => policies.guards(hook, tenant),
      checkJoin: (tenant, sub, room, meta, done) =>
        policies.checkJoin(tenant, sub, room, meta, done),
      disconnects: (error) => (error as { code?: unknown }).code === 'ARQ_ERR_POLICY_DISCONNECT',
    };
    this.#presence = new PresenceTracker({
      replica: { node: config.nodeId, incarnation: this.#incarnation },
      coalesceMs: config.presenceCoalesceMs,
      output: {
        diff: (topic, body) =>
          this.#edge.presenceDiff(topic, toWirePresences(body.joins), toWirePresences(body.leaves)),
      },
    });
    this.presenceStates = new PresenceStateFrames(this.#presence);
    const edgeOptions = {
      host: config.host,
      port: config.port,
      tls:
        config.tlsCert !== null && config.tlsKey !== null
          ? { certFile: config.tlsCert, keyFile: config.tlsKey }
          : null,
      hardMaxFrameBytes: config.hardMaxFrameBytes,
      maxSendBufferBytes: config.maxSendBufferBytes,
      heartbeatMs: config.heartbeatMs,
      maxConnectionsPerTenant: config.maxConnectionsPerTenant,
      maxHttpBodyBytes: config.maxFrameBytes,
      publicMetrics: config.publicMetrics,
      metrics: this.#metrics,
      verify: (token: string) => this.verify(token),
      readiness: () => this.#currentReadiness(),
      checkConnect: (attempt: Parameters<PolicyHost['checkConnect']>[0]) =>
        policies.checkConnect(attempt),
      killWorker: config.chaos ? (shard: number | null) => this.#killWorker(shard) : null,
    };
    this.#edge = new EdgeServer(
      edgeOptions,
      this,
      httpRoutes({
        nodeId: config.nodeId,
        edge: edgeOptions,
        rooms: this.rooms,
        presence: this.#presence,
        tenantMayPublish: (tenant, nowMs) => this.tenantMayPublish(tenant, nowMs),
        policies: {
          maxModuleBytes: this.#policyLimits.maxModuleBytes,
          push: (name, tenant, timeoutMs, bytes) =>
            policies.push(name, tenant, parseTimeoutMs(timeoutMs), bytes),
          list: () => policies.list(),
          remove: (name, tenant) => policies.remove(name, tenant),
        },
      }),
    );
    this.#root = new Supervisor({
      name: `${config.nodeId}-root`,
      strategy: 'one_for_one',
      maxRestarts: ROOT_MAX_RESTARTS,
      periodMs: ROOT_PERIOD_MS,
      children: [
        {
          id: 'shards',
          type: 'supervisor',
          restart: 'permanent',
          shutdown: 'infinity',
          start: () => this.#startPool(),
        },
      ],
    });
  }

  get nodeId(): string {
    return this.#config.nodeId;
  }
  get presence(): PresenceTracker {
    return this.#presence;
  }
  get metrics(): NodeMetrics {
    return this.#metrics;
  }
  get port(): number {
    return this.#edge.port;
  }
  /** The largest send buffer of one socket seen so far (slow readers are closed past the limit). */
  get peakSendBufferBytes(): number {
    return this.#edge.peakSendBufferBytes;
  }
  get readiness(): Readiness {
    return this.#currentReadiness();
  }
  /** Settles when the node's root supervisor has exited (a crash loop it could not contain, or stop). */
  get exited(): Promise<ExitReason> {
    return this.#root.exited;
  }

  async start(): Promise<number> {
    await this.#root.start();
    const config = this.#config;
    if (config.nats !== null) {
      this.#cluster = await NodeCluster.start({
        url: config.nats,
        user: config.natsUser,
        password: config.natsPassword,
        nodeId: config.nodeId,
        incarnation: this.#incarnation,
        downAfterMs: config.downAfterMs,
        presenceBroadcastMs: config.presenceBroadcastMs,
        fanoutLingerMs: config.fanoutLingerMs,
        presence: this.#presence,
        local: this.#localRooms,
        deliver: (delivery) => this.#edge.deliver(delivery),
        onRoomsMoved: (moved) => this.#edge.restoreRooms(moved, false),
        log: this.#log,
      });
    }
    // The stored policies are in force (edge and shards) before the node listens: a node that
    // starts after a push never lets a connection in unchecked.
    await this.#policies.start(await this.#policyLedger());
    const port = await this.#edge.listen();
    this.#readiness = 'ready';
    if (config.idleGc) {
      // Started once up: the heap after start-up is the floor that growth is measured from.
      this.#idleCollector = new IdleCollector();
      this.#idleCollector.start();
    }
    return port;
  }

  /** Alone: in memory. In a cluster: JetStream, or, without it, none (pushes are refused). */
  async #policyLedger(): Promise<PolicyLedger> {
    if (this.#cluster === null) return new LocalPolicyLedger();
    try {
      return await KvPolicyLedger.open({
        connection: this.#cluster.connection,
        log: (line) => this.#log.warn(line),
      });
    } catch (error) {
      const reason = `policies need JetStream on the cluster's NATS: ${error instanceof Error ? error.message : String(error)}`;
      this.#log.warn(`${reason}; policy pushes are refused`);
      return new RefusingPolicyLedger(reason);
    }
  }

  /** Ready once listening and, in a cluster, once the first heartbeat round has been heard. */
  #currentReadiness(): Readiness {
    if (this.#readiness !== 'ready') return this.#readiness;
    return this.#cluster === null || this.#cluster.ready ? 'ready' : 'starting';
  }

  /** In a cluster, resolves once this node has joined it (at once without one). */
  async whenReady(): Promise<void> {
    await this.#cluster?.whenReady();
  }

  /** Graceful stop: refuse new work, close sockets with 4009, then stop the shards. */
  async drain(): Promise<void> {
    if (this.#readiness === 'draining') return;
    this.#readiness = 'draining';
    this.#idleCollector?.stop();
    await this.#edge.drain(this.#config.drainTimeoutMs);
    // Leave the cluster before the shards stop: peers move this node's rooms at once.
    await this.#cluster
      ?.stop()
      .catch((err: unknown) => this.#log.warn(`cluster leave failed: ${String(err)}`));
    await this.#root.stop();
    await this.#policies.close();
  }

  verify(token: string): Promise<Principal> {
    return this.#verifier.verify(token);
  }

  tenantMayPublish(tenant: string, nowMs: number): boolean {
    let bucket = this.#tenantBuckets.get(tenant);
    if (bucket === undefined) {
      bucket = new TokenBucket(
        this.#config.tenantPublishRate,
        this.#config.tenantPublishBurst,
        nowMs,
      );
      this.#tenantBuckets.set(tenant, bucket);
    }
    return bucket.tryTake(nowMs);
  }

  released(): void {}

  /** Rooms as the connections see them: the cluster's router when clustered, else the shards. */
  #gateway(): RoomGateway {
    const target = (): RoomGateway => this.#cluster?.rooms ?? this.#localRooms;
    return {
      join: (roomKey, connId, since, restore, done) =>
        target().join(roomKey, connId, since, restore, done),
      leave: (roomKey, connId, done) => target().leave(roomKey, connId, done),
      publish: (roomKey, connId, payload, echo, ingressTs, done) =>
        target().publish(roomKey, connId, payload, echo, ingressTs, done),
      history: (roomKey, query, done) => target().history(roomKey, query, done),
    };
  }

  /** This node's own rooms: whichever pool instance is current. */
  readonly #localRooms: LocalRooms = this.#poolGateway();

  #poolGateway(): LocalRooms {
    const pool = (): ShardPool => {
      if (this.#pool === null)
        throw new NodeError('ARQ_ERR_NODE_STATE', 'the shard pool is restarting');
      return this.#pool;
    };
    // The gateway never throws: a pool restarting or stopped, or a full ring, answers through
    // `done` (or is dropped for a fire-and-forget leave). Callers run inside uWS callbacks, where a
    // throw would end the process, and in loops over many connections (restores).
    const guard = (call: () => void, done: ((e: Error, r: null) => void) | null): void => {
      try {
        call();
      } catch (err) {
        done?.(err instanceof Error ? err : new NodeError('ARQ_ERR_NODE_STATE', String(err)), null);
      }
    };
    return {
      join: (roomKey: string, connId: number, since: ResumeFrom | null, restore: boolean, done) =>
        guard(
          () =>
            pool().join(
              roomKey,
              connId,
              since,
              restore,
              done as (e: Error | null, r: JoinAnswer | null) => void,
            ),
          done,
        ),
      leave: (roomKey, connId, done) => guard(() => pool().leave(roomKey, connId, done), done),
      exportRoom: (roomKey, done) => guard(() => pool().exportRoom(roomKey, done), done),
      importRoom: (roomKey, state, done) =>
        guard(() => pool().importRoom(roomKey, state, done), done),
      history: (roomKey, query, done) => guard(() => pool().history(roomKey, query, done), done),
      // The hot path: the same guard, written out so that a publish allocates no closure.
      publish: (roomKey, connId, payload, echo, ingressTs, done) => {
        try {
          pool().publish(roomKey, connId, payload, echo, ingressTs, done);
        } catch (err) {
          done?.(
            err instanceof Error ? err : new NodeError('ARQ_ERR_NODE_STATE', String(err)),
            null,
          );
        }
      },
    };
  }

  async #startPool(): Promise<Child> {
    const restart = this.#pool !== null;
    const pool = new ShardPoolClass({
      workers: this.#config.workers,
      nodeId: this.#config.nodeId,
      roomIdleMs: this.#config.roomIdleMs,
      ringLingerMs: this.#config.ringLingerMs,
      onDelivery: (delivery) =>
        this.#cluster !== null
          ? this.#cluster.onLocalDelivery(delivery)
          : this.#edge.deliver(delivery),
      onEvent: (event) => this.#onPoolEvent(event),
      policyLimits: this.#policyLimits,
      ...roomStorageOption(this.#config),
    });
    this.#pool = pool;
    if (this.#deployed.length > 0) void pool.deployPolicies(this.#deployed);
    await pool.start();
    // A whole new pool has no rooms: every member joins again.
    if (restart) {
      this.#edge.restoreRooms(() => true, true);
      this.#cluster?.restoreRemote(() => true);
    }
    return pool;
  }

  #onPoolEvent(event: ShardPoolEvent): void {
    switch (event.type) {
      case 'shard-started': {
        if (!event.restart) return;
        this.#metrics.shardRestarted();
        const pool = this.#pool;
        const onShard = (roomKey: string): boolean => pool?.shardOf(roomKey) === event.shard;
        // In a cluster only rooms owned here live on this node's shards; others re-join elsewhere.
        const restored = this.#edge.restoreRooms(
          (roomKey) => onShard(roomKey) && (this.#cluster === null || this.#cluster.owns(roomKey)),
          true,
        );
        this.#cluster?.restoreRemote(onShard);
        this.#log.warn(`shard ${event.shard} restarted; ${restored} memberships restored`);
        return;
      }
      case 'shard-exited':
        this.#log.error(`shard ${event.shard} exited: ${event.reason}`);
        return;
      case 'room-down':
        this.#edge.restoreRooms((roomKey) => roomKey === event.roomKey, true);
        this.#cluster?.restoreRemote((roomKey) => roomKey === event.roomKey);
        return;
      case 'pool-failed':
        this.#log.error(`shard pool failed: ${event.reason}`);
        return;
      case 'policy-report':
        this.#policies.record(event.report.outcome, event.report.where);
        return;
      case 'policy-log':
        this.#log.warn(event.line);
        return;
      case 'storage-log':
        this.#log.warn(`shard ${event.shard}: ${event.line}`);
        return;
    }
  }

  /** Live rooms over every shard; a shard restarting right now counts as 0. */
  async #countRooms(): Promise<number> {
    const pool = this.#pool;
    if (pool === null) return 0;
    const counts = await Promise.all(
      Array.from({ length: pool.workers }, (_, shard) =>
        pool.stats(shard).then(
          (stats) => stats.rooms,
          () => 0,
        ),
      ),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  #killWorker(shard: number | null): number | null {
    const pool = this.#pool;
    if (pool === null) return null;
    if (shard !== null && shard >= pool.workers) {
      throw new WireError('bad_frame', `shard: must be 0..${pool.workers - 1}, got ${shard}`);
    }
    const target = shard ?? Math.floor(Math.random() * pool.workers);
    return pool.killShard(target) ? target : null;
  }
}

import { randomBytes } from 'node:crypto';
import type { PolicyGate } from '../../actors/index.js';
import {
  type ConnectionHost,
  formatIncarnation,
  PresenceStateFrames,
  PresenceTracker,
  type RoomGateway,
  toWirePresences,
} from '../../actors/index.js';
import { type ExitReason, Supervisor } from '../../supervision/index.js';
import { type Principal, TokenVerifier } from '../auth/index.js';
import type { NodeConfig } from '../config/index.js';
import { EdgeServer, httpRoutes, type Readiness } from '../edge/index.js';
import { NodeMetrics } from '../metrics/index.js';
import {
  DEFAULT_POLICY_LIMITS,
  PolicyCompiler,
  PolicyHost,
  type PolicyLimits,
  parseTimeoutMs,
  WASM_PAGE_BYTES,
} from '../policy/index.js';
import type { ShardPoolEvent } from '../shard/index.js';
import { IdleCollector } from './idle-collector.js';
import { NodeCluster } from './node-cluster.js';
import { nodeEdgeOptions } from './node-edge-options.js';
import { type LogSink, NodeLog, STDERR_SINK } from './node-log.js';
import { nodePolicyLedger } from './node-policy-ledger.js';
import { NodeShards } from './node-shards.js';
import { TenantPublishLimits } from './tenant-publish-limits.js';
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
  readonly #shards: NodeShards;
  readonly #tenantLimits: TenantPublishLimits;
  // Sortable by start time: peers tell a restart of this node from a stale heartbeat by it.
  readonly #incarnation = formatIncarnation(Date.now(), randomBytes(4).toString('hex'));
  #cluster: NodeCluster | null = null;
  #idleCollector: IdleCollector | null = null;
  #readiness: Readiness = 'starting';
  readonly #policyLimits: PolicyLimits;
  readonly #policies: PolicyHost;

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
    this.#metrics.setRoomsSource(() => this.#shards.countRooms());
    this.#tenantLimits = new TenantPublishLimits(
      config.tenantPublishRate,
      config.tenantPublishBurst,
    );
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
    this.#shards = new NodeShards({
      config,
      policyLimits: this.#policyLimits,
      onDelivery: (delivery) =>
        this.#cluster !== null
          ? this.#cluster.onLocalDelivery(delivery)
          : this.#edge.deliver(delivery),
      onEvent: (event) => this.#onPoolEvent(event),
      onNewPool: () => {
        this.#edge.restoreRooms(() => true, true);
        this.#cluster?.restoreRemote(() => true);
      },
    });
    this.#policies = new PolicyHost({
      compiler: new PolicyCompiler({ limits: this.#policyLimits, mode: config.policyCompile }),
      limits: this.#policyLimits,
      metrics: this.#metrics,
      log: (line) => this.#log.warn(line),
      deploy: (policies) => this.#shards.deployPolicies(policies),
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
    const edgeOptions = nodeEdgeOptions(config, {
      metrics: this.#metrics,
      verify: (token) => this.verify(token),
      readiness: () => this.#currentReadiness(),
      checkConnect: (attempt) => policies.checkConnect(attempt),
      killWorker: (shard) => this.#shards.killWorker(shard),
    });
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
          start: () => this.#shards.start(),
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
        local: this.#shards.rooms,
        deliver: (delivery) => this.#edge.deliver(delivery),
        onRoomsMoved: (moved) => this.#edge.restoreRooms(moved, false),
        log: this.#log,
      });
    }
    // The stored policies are in force (edge and shards) before the node listens: a node that
    // starts after a push never lets a connection in unchecked.
    await this.#policies.start(await nodePolicyLedger(this.#cluster, this.#log));
    const port = await this.#edge.listen();
    this.#readiness = 'ready';
    if (config.idleGc) {
      // Started once up: the heap after start-up is the floor that growth is measured from.
      this.#idleCollector = new IdleCollector();
      this.#idleCollector.start();
    }
    return port;
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
    return this.#tenantLimits.mayPublish(tenant, nowMs);
  }

  released(): void {}

  /** Rooms as the connections see them: the cluster's router when clustered, else the shards. */
  #gateway(): RoomGateway {
    const target = (): RoomGateway => this.#cluster?.rooms ?? this.#shards.rooms;
    return {
      join: (roomKey, connId, since, restore, done) =>
        target().join(roomKey, connId, since, restore, done),
      leave: (roomKey, connId, done) => target().leave(roomKey, connId, done),
      publish: (roomKey, connId, payload, echo, ingressTs, done) =>
        target().publish(roomKey, connId, payload, echo, ingressTs, done),
      history: (roomKey, query, done) => target().history(roomKey, query, done),
    };
  }

  #onPoolEvent(event: ShardPoolEvent): void {
    switch (event.type) {
      case 'shard-started': {
        if (!event.restart) return;
        this.#metrics.shardRestarted();
        const pool = this.#shards.current;
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
}

import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { PresenceTracker, RoomGateway } from '../../actors/index.js';
import {
  type ClusterLog,
  type ClusterLogEvent,
  ClusterRooms,
  type LocalRooms,
  Membership,
  PresenceGossip,
} from '../cluster/index.js';
import type { LogLevel } from '../config/index.js';
import type { ShardDelivery } from '../shard/index.js';
import type { NodeLog } from './node-log.js';

export interface NodeClusterOptions {
  readonly url: string;
  readonly user: string | null;
  readonly password: string | null;
  readonly nodeId: string;
  readonly incarnation: string;
  readonly downAfterMs: number;
  readonly presenceBroadcastMs: number;
  readonly fanoutLingerMs: number;
  readonly presence: PresenceTracker;
  /** The node's own shards. */
  readonly local: LocalRooms;
  /** Hands a delivery to this node's edge fan-out. */
  readonly deliver: (delivery: ShardDelivery) => void;
  /** Rooms whose owner moved: re-join this node's members of them. */
  readonly onRoomsMoved: (moved: (roomKey: string) => boolean) => void;
  readonly log: NodeLog;
}

/** Heartbeats at a quarter of the down time: a peer is declared down after ~4 missed beats. */
const HEARTBEATS_PER_DOWN = 4;
const NATS_RECONNECT_WAIT_MS = 250;
const NATS_PING_INTERVAL_MS = 2_000;

/**
 * The node's membership of a cluster over NATS: heartbeats (Membership), presence gossip of the
 * node's replica (PresenceGossip) and room routing to each room's owner (ClusterRooms). Started
 * after the shards, so that peers only hear of this node once it can answer for its rooms.
 */
export class NodeCluster {
  readonly #connection: NatsConnection;
  readonly #membership: Membership;
  readonly #gossip: PresenceGossip;
  readonly #rooms: ClusterRooms;
  readonly #nodeId: string;

  private constructor(connection: NatsConnection, options: NodeClusterOptions) {
    this.#connection = connection;
    this.#nodeId = options.nodeId;
    const log: ClusterLog = (event) => options.log.write(levelOf(event), describe(event));
    this.#membership = new Membership({
      log,
      connection,
      node: options.nodeId,
      incarnation: options.incarnation,
      heartbeatMs: Math.max(10, Math.floor(options.downAfterMs / HEARTBEATS_PER_DOWN)),
      downAfterMs: options.downAfterMs,
    });
    this.#gossip = new PresenceGossip({
      log,
      connection,
      membership: this.#membership,
      state: options.presence.state,
      onChanges: (changes) => options.presence.emit(changes),
      broadcastMs: options.presenceBroadcastMs,
    });
    this.#rooms = new ClusterRooms({
      log,
      connection,
      membership: this.#membership,
      local: options.local,
      deliver: options.deliver,
      fanInLingerMs: options.fanoutLingerMs,
    });
    this.#rooms.on((event) => {
      options.log.info(`cluster: room owners changed (${event.reason})`);
      options.onRoomsMoved(event.moved);
    });
    this.#membership.on((event) => {
      if (
        event.type === 'up' ||
        event.type === 'down' ||
        event.type === 'leaving' ||
        event.type === 'restarted'
      ) {
        options.log.info(`cluster: ${event.type} ${'member' in event ? event.member.node : ''}`);
      }
    });
  }

  static async start(options: NodeClusterOptions): Promise<NodeCluster> {
    const connection = await connect({
      servers: options.url,
      name: options.nodeId,
      reconnectTimeWait: NATS_RECONNECT_WAIT_MS,
      maxReconnectAttempts: -1,
      pingInterval: NATS_PING_INTERVAL_MS,
      ...(options.user !== null ? { user: options.user } : {}),
      ...(options.password !== null ? { pass: options.password } : {}),
    });
    const cluster = new NodeCluster(connection, options);
    await cluster.#rooms.start();
    await cluster.#gossip.start();
    await cluster.#membership.start();
    return cluster;
  }

  /** The node's NATS connection (the policy store uses it too). */
  get connection(): NatsConnection {
    return this.#connection;
  }

  /** The gateway connections use: a room's owner may be this node or another. */
  get rooms(): RoomGateway {
    return this.#rooms;
  }

  /** True once this node has heard a full heartbeat round (it is in the cluster). */
  get ready(): boolean {
    return this.#membership.ready;
  }

  /** True when this node owns `roomKey` (its room lives on this node's shards). */
  owns(roomKey: string): boolean {
    return this.#rooms.ownerOf(roomKey) === this.#nodeId;
  }

  whenReady(): Promise<void> {
    return this.#membership.whenReady();
  }

  /** Every delivery from this node's shards goes through here (local fan-out plus NATS fan-out). */
  onLocalDelivery(delivery: ShardDelivery): void {
    this.#rooms.onLocalDelivery(delivery);
  }

  /** After a shard restart: remote members of the matching rooms owned here join again. */
  restoreRemote(match: (roomKey: string) => boolean): number {
    return this.#rooms.restoreRemote(match);
  }

  /**
   * Graceful leave: this node hands its rooms over to their next owners (bounded by the hand-off
   * timeout), then says `leaving`, so peers drop it at once and serve the rooms it handed over.
   */
  async stop(): Promise<void> {
    await this.#gossip.broadcast();
    await this.#rooms.handOff();
    await this.#membership.leave();
    await this.#rooms.close();
    await this.#gossip.close();
    await this.#connection.drain().catch(() => this.#connection.close());
  }
}

/** Trouble that loses something or needs an operator is an error; what the cluster retries, a warning. */
function levelOf(event: ClusterLogEvent): LogLevel {
  switch (event.type) {
    case 'node_id_conflict':
    case 'subscription_failed':
    case 'listener_failed':
      return 'error';
    case 'malformed':
    case 'publish_failed':
    case 'state_pull_failed':
    case 'handoff_timeout':
    case 'handoff_failed':
    case 'gap_unfilled':
      return 'warn';
  }
}

function describe(event: ClusterLogEvent): string {
  switch (event.type) {
    case 'malformed':
      return `cluster: dropped a malformed message on ${event.subject}: ${event.error.message}`;
    case 'publish_failed':
      return `cluster: publish to ${event.subject} failed: ${event.error.message}`;
    case 'subscription_failed':
      return `cluster: subscription to ${event.subject} failed: ${event.error.message}`;
    case 'listener_failed':
      return `cluster: a listener threw: ${String(event.error)}`;
    case 'node_id_conflict':
      return `cluster: another process runs as node ${event.node} (incarnation ${event.incarnation}); give each node its own node-id`;
    case 'state_pull_failed':
      return `cluster: presence state pull from ${event.node} failed, retrying: ${event.error.message}`;
    case 'handoff_timeout':
      return `cluster: room ${event.roomKey} waited too long for its hand-off and started afresh`;
    case 'handoff_failed':
      return `cluster: room ${event.roomKey} could not be handed over and restarts afresh: ${event.error.message}`;
    case 'gap_unfilled':
      return `cluster: room ${event.roomKey} (epoch ${event.epoch}) missed offsets ${event.after + 1}..${event.upTo} here and could not fetch them: ${event.reason}`;
  }
}

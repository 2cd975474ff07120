import type { NatsConnection } from '@nats-io/transport-node';
import type { RoomGateway, RoomState } from '../../../actors/index.js';
import type { ShardDelivery } from '../../shard/index.js';
import {
  type ClusterLog,
  callback,
  natsConnection,
  optionError,
  optionsRecord,
  positiveInt,
  quote,
  SILENT_CLUSTER_LOG,
} from '../base/index.js';
import { Membership } from '../membership/index.js';

/** How long a request to a remote owner waits for its answer; also the budget of NOT_OWNER retries. */
export const DEFAULT_ROOM_REQUEST_TIMEOUT_MS = 5_000;
/** The pause before a request answered NOT_OWNER is routed again (the rings are settling). */
export const DEFAULT_NOT_OWNER_RETRY_MS = 50;

/**
 * How long a room that moved here gracefully waits for its old owner's hand-off before it starts
 * afresh (below requestTimeoutMs: the requests it holds meanwhile must still be answered in time).
 */
export const DEFAULT_HANDOFF_TIMEOUT_MS = 2_000;

/** How long a busy node holds room deliveries to write them to its sockets together (FanInBatcher). */
export const DEFAULT_FAN_IN_LINGER_MS = 2;
/** The longest fanInLingerMs accepted: it is added to the latency of every held message. */
export const MAX_FAN_IN_LINGER_MS = 100;

/**
 * The node's own rooms (its ShardPool): the same callback API as the gateway, plus taking a room
 * out (its state, after everything sent to it before) and starting one from a handed-over state.
 */
export interface LocalRooms extends RoomGateway {
  exportRoom(roomKey: string, done: (error: Error | null, state: RoomState | null) => void): void;
  importRoom(roomKey: string, state: RoomState, done: (error: Error | null) => void): void;
}

export interface ClusterRoomsOptions {
  /** The node's NATS connection; ClusterRooms uses it but never closes it. */
  readonly connection: NatsConnection;
  /** This node's membership (started by the caller): its live set is the ring. */
  readonly membership: Membership;
  /** The node's shard pool (or anything that forwards to the current one). */
  readonly local: LocalRooms;
  /** Hands a delivery to this node's edge fan-out (synchronously; `body` is valid during the call). */
  readonly deliver: (delivery: ShardDelivery) => void;
  readonly log?: ClusterLog;
  readonly requestTimeoutMs?: number;
  readonly notOwnerRetryMs?: number;
  readonly handoffTimeoutMs?: number;
  /** See FanInBatcher: 0 hands every delivery to the edge at once. */
  readonly fanInLingerMs?: number;
}

export interface ResolvedClusterRoomsOptions {
  readonly connection: NatsConnection;
  readonly membership: Membership;
  readonly local: LocalRooms;
  readonly deliver: (delivery: ShardDelivery) => void;
  readonly log: ClusterLog;
  readonly requestTimeoutMs: number;
  readonly notOwnerRetryMs: number;
  readonly handoffTimeoutMs: number;
  readonly fanInLingerMs: number;
}

export function resolveClusterRoomsOptions(
  options: ClusterRoomsOptions,
): ResolvedClusterRoomsOptions {
  const o = optionsRecord(options, 'ClusterRooms');
  const connection = natsConnection<NatsConnection>(o.connection, 'connection');
  if (!(o.membership instanceof Membership)) {
    throw optionError(`options.membership must be a Membership, got ${quote(typeof o.membership)}`);
  }
  const local = o.local as Record<string, unknown> | null;
  if (
    typeof local !== 'object' ||
    local === null ||
    typeof local.join !== 'function' ||
    typeof local.leave !== 'function' ||
    typeof local.publish !== 'function' ||
    typeof local.exportRoom !== 'function' ||
    typeof local.importRoom !== 'function'
  ) {
    throw optionError(
      `options.local must have join, leave, publish, exportRoom and importRoom methods (a ShardPool), got ${quote(typeof local)}`,
    );
  }
  const requestTimeoutMs = positiveInt(
    o.requestTimeoutMs,
    'requestTimeoutMs',
    DEFAULT_ROOM_REQUEST_TIMEOUT_MS,
  );
  const notOwnerRetryMs = positiveInt(
    o.notOwnerRetryMs,
    'notOwnerRetryMs',
    DEFAULT_NOT_OWNER_RETRY_MS,
  );
  if (notOwnerRetryMs >= requestTimeoutMs) {
    throw optionError(
      `options.notOwnerRetryMs must be below options.requestTimeoutMs (${requestTimeoutMs}), got ${quote(notOwnerRetryMs)}`,
    );
  }
  const handoffTimeoutMs = positiveInt(
    o.handoffTimeoutMs,
    'handoffTimeoutMs',
    Math.max(1, Math.min(DEFAULT_HANDOFF_TIMEOUT_MS, Math.floor(requestTimeoutMs / 2))),
  );
  if (handoffTimeoutMs >= requestTimeoutMs) {
    throw optionError(
      `options.handoffTimeoutMs must be below options.requestTimeoutMs (${requestTimeoutMs}), got ${quote(handoffTimeoutMs)}`,
    );
  }
  const fanInLingerMs = o.fanInLingerMs ?? DEFAULT_FAN_IN_LINGER_MS;
  if (
    typeof fanInLingerMs !== 'number' ||
    !Number.isSafeInteger(fanInLingerMs) ||
    fanInLingerMs < 0 ||
    fanInLingerMs > MAX_FAN_IN_LINGER_MS
  ) {
    throw optionError(
      `options.fanInLingerMs must be an integer from 0 to ${MAX_FAN_IN_LINGER_MS}, got ${quote(fanInLingerMs)}`,
    );
  }
  return {
    connection,
    membership: o.membership,
    local: o.local as LocalRooms,
    deliver: callback<(delivery: ShardDelivery) => void>(o.deliver, 'deliver'),
    log: callback<ClusterLog>(o.log, 'log', SILENT_CLUSTER_LOG),
    requestTimeoutMs,
    notOwnerRetryMs,
    handoffTimeoutMs,
    fanInLingerMs,
  };
}

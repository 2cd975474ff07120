import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { formatIncarnation } from '../../../actors/index.js';
import {
  type ClusterLog,
  callback,
  natsConnection,
  nonEmptyString,
  optionError,
  optionsRecord,
  positiveInt,
  quote,
  SILENT_CLUSTER_LOG,
} from '../base/index.js';

export const DEFAULT_HEARTBEAT_MS = 500;
/** Matches the node's `--down-after-ms` default. */
export const DEFAULT_DOWN_AFTER_MS = 3_000;
/** How long a down or departed node's record is kept (to tell its late messages from a rejoin). */
export const DEFAULT_FORGET_AFTER_MS = 600_000;

export interface MembershipOptions {
  /** The node's NATS connection; Membership uses it but never closes it. */
  readonly connection: NatsConnection;
  /** This node's id (any non-empty string; subjects escape it). */
  readonly node: string;
  /**
   * This life of the node. Incarnations of one node must sort in start order (see
   * `formatIncarnation`); by default one is made from the start time and a random nonce.
   */
  readonly incarnation?: string;
  /** Period of heartbeats, and of the checks for silent peers. */
  readonly heartbeatMs?: number;
  /** A peer silent this long is down; at least twice `heartbeatMs`. */
  readonly downAfterMs?: number;
  /** A down or departed peer's record is forgotten after this long; at least `downAfterMs`. */
  readonly forgetAfterMs?: number;
  readonly log?: ClusterLog;
}

export interface ResolvedMembershipOptions {
  readonly connection: NatsConnection;
  readonly node: string;
  readonly incarnation: string;
  readonly heartbeatMs: number;
  readonly downAfterMs: number;
  readonly forgetAfterMs: number;
  readonly log: ClusterLog;
}

export function resolveMembershipOptions(options: MembershipOptions): ResolvedMembershipOptions {
  const o = optionsRecord(options, 'Membership');
  const connection = natsConnection<NatsConnection>(o.connection, 'connection');
  const node = nonEmptyString(o.node, 'node');
  const incarnation =
    o.incarnation === undefined
      ? formatIncarnation(Date.now(), randomBytes(4).toString('hex'))
      : nonEmptyString(o.incarnation, 'incarnation');
  const heartbeatMs = positiveInt(o.heartbeatMs, 'heartbeatMs', DEFAULT_HEARTBEAT_MS);
  const downAfterMs = positiveInt(
    o.downAfterMs,
    'downAfterMs',
    Math.max(DEFAULT_DOWN_AFTER_MS, 2 * heartbeatMs),
  );
  if (downAfterMs < 2 * heartbeatMs) {
    throw optionError(
      `options.downAfterMs must be at least twice options.heartbeatMs (${2 * heartbeatMs}), got ${quote(downAfterMs)}`,
    );
  }
  const forgetAfterMs = positiveInt(
    o.forgetAfterMs,
    'forgetAfterMs',
    Math.max(DEFAULT_FORGET_AFTER_MS, downAfterMs),
  );
  if (forgetAfterMs < downAfterMs) {
    throw optionError(
      `options.forgetAfterMs must be at least options.downAfterMs (${downAfterMs}), got ${quote(forgetAfterMs)}`,
    );
  }
  const log = callback<ClusterLog>(o.log, 'log', SILENT_CLUSTER_LOG);
  return { connection, node, incarnation, heartbeatMs, downAfterMs, forgetAfterMs, log };
}

import type { NatsConnection } from '@nats-io/transport-node';
import { type PresenceChanges, PresenceState } from '../../../actors/index.js';
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

/** Matches the node's `--presence-broadcast-ms` default. */
export const DEFAULT_BROADCAST_MS = 250;
/** How long a down node's entries are kept (hidden) before they are forgotten. */
export const DEFAULT_PURGE_AFTER_MS = 60_000;
/** How long a full-state pull waits for its reply before it counts as failed (and is retried). */
export const DEFAULT_STATE_REQUEST_TIMEOUT_MS = 2_000;

export interface PresenceGossipOptions {
  /** The node's NATS connection; the gossip uses it but never closes it. */
  readonly connection: NatsConnection;
  /** This node's membership: its events drive replicaDown/Up/purge; its heartbeats carry clocks. */
  readonly membership: Membership;
  /** This node's replica; its `replica` must be the membership's `self`. */
  readonly state: PresenceState;
  /** Every view change a remote merge, a down node or a purge makes (for `presence_diff`). */
  readonly onChanges: (changes: PresenceChanges) => void;
  /** Period of delta broadcasts (an empty delta is not sent). */
  readonly broadcastMs?: number;
  /** A down node's entries are purged this long after it went down. */
  readonly purgeAfterMs?: number;
  readonly requestTimeoutMs?: number;
  readonly log?: ClusterLog;
}

export interface ResolvedPresenceGossipOptions {
  readonly connection: NatsConnection;
  readonly membership: Membership;
  readonly state: PresenceState;
  readonly onChanges: (changes: PresenceChanges) => void;
  readonly broadcastMs: number;
  readonly purgeAfterMs: number;
  readonly requestTimeoutMs: number;
  readonly log: ClusterLog;
}

export function resolvePresenceGossipOptions(
  options: PresenceGossipOptions,
): ResolvedPresenceGossipOptions {
  const o = optionsRecord(options, 'PresenceGossip');
  const connection = natsConnection<NatsConnection>(o.connection, 'connection');
  if (!(o.membership instanceof Membership)) {
    throw optionError(`options.membership must be a Membership, got ${quote(typeof o.membership)}`);
  }
  if (!(o.state instanceof PresenceState)) {
    throw optionError(`options.state must be a PresenceState, got ${quote(typeof o.state)}`);
  }
  const self = o.membership.self;
  const replica = o.state.replica;
  if (replica.node !== self.node || replica.incarnation !== self.incarnation) {
    throw optionError(
      `options.state.replica must be the membership's self ${quote(self)}, got ${quote(replica)}`,
    );
  }
  const onChanges = callback<(changes: PresenceChanges) => void>(o.onChanges, 'onChanges');
  return {
    connection,
    membership: o.membership,
    state: o.state,
    onChanges,
    broadcastMs: positiveInt(o.broadcastMs, 'broadcastMs', DEFAULT_BROADCAST_MS),
    purgeAfterMs: positiveInt(o.purgeAfterMs, 'purgeAfterMs', DEFAULT_PURGE_AFTER_MS),
    requestTimeoutMs: positiveInt(
      o.requestTimeoutMs,
      'requestTimeoutMs',
      DEFAULT_STATE_REQUEST_TIMEOUT_MS,
    ),
    log: callback<ClusterLog>(o.log, 'log', SILENT_CLUSTER_LOG),
  };
}

// src/cluster/presence: gossip of the node's presence replica to its peers, and merging theirs.
export {
  PRESENCE_PAYLOAD_PART,
  PresenceGossip,
  type PresenceGossipStats,
} from './presence-gossip.js';
export {
  DEFAULT_BROADCAST_MS,
  DEFAULT_PURGE_AFTER_MS,
  DEFAULT_STATE_REQUEST_TIMEOUT_MS,
  type PresenceGossipOptions,
  type ResolvedPresenceGossipOptions,
  resolvePresenceGossipOptions,
} from './presence-gossip-options.js';

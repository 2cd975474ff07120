import type { NodeConfig } from '../config/index.js';
import type { RoomStorageConfig } from '../storage/index.js';

/**
 * The shard pool's `storage` option from the node's config: durable rooms, stored over the node's
 * own NATS servers and credentials. Config validation made sure `durable-rooms` comes with `nats`.
 */
export function roomStorageOption(
  config: NodeConfig,
): { readonly storage: RoomStorageConfig } | Record<string, never> {
  if (config.durableRooms === null || config.nats === null) return {};
  return {
    storage: {
      servers: config.nats,
      user: config.natsUser,
      password: config.natsPassword,
      name: `${config.nodeId}-storage`,
      rooms: {
        patterns: config.durableRooms,
        maxMessages: config.historyMaxMessages,
        maxAgeSec: config.historyMaxAgeSec,
        maxBytes: config.historyMaxBytes,
      },
    },
  };
}

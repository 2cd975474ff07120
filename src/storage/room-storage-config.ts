import type { DurableRoomsOptions } from './durable-rooms.js';

/** What a shard thread needs to store durable rooms (plain data: it is structured-cloned). */
export interface RoomStorageConfig {
  /** Comma-separated NATS server URLs, as the node's `nats` option. */
  readonly servers: string;
  readonly user: string | null;
  readonly password: string | null;
  /** The connection's name in NATS monitoring. */
  readonly name: string;
  readonly rooms: DurableRoomsOptions;
}

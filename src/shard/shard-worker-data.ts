import type { PolicyDeployment, PolicyLimits } from '../policy/index.js';
import type { RoomStorageConfig } from '../storage/index.js';
import type { RingPair } from '../transport/index.js';

/** What the pool hands a shard thread at start (structured-cloned; the SABs are shared). */
export interface ShardWorkerData {
  readonly type: 'arqon:shard';
  readonly shard: number;
  readonly node: string;
  readonly pair: RingPair;
  readonly roomIdleMs: number;
  readonly lingerMs: number;
  readonly maxRooms: number;
  readonly policyLimits: PolicyLimits;
  /** The policies in force when the shard starts: held before it reads its first record. */
  readonly policies: PolicyDeployment | null;
  /** Where durable rooms are stored; null: no room is durable. */
  readonly storage: RoomStorageConfig | null;
}

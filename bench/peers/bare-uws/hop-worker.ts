/*
 * The worker of `bare-uws --hop`: hands every record straight back, as a shard answers a publish
 * with its delivery, on the same rings and with the same waiting as ArqonBus's shards (the
 * shard side's default ring linger). What the hop costs is then measured apart from what the
 * actors, frames and metrics around it cost.
 */
import { workerData } from 'node:worker_threads';
import { DEFAULT_RING_LINGER_MS } from '../../../src/shard/index.js';
import { type RingPair, ThreadChannel } from '../../../src/transport/index.js';

const channel = ThreadChannel.open((workerData as { pair: RingPair }).pair, 'shard', {
  lingerMs: DEFAULT_RING_LINGER_MS,
});
await channel.receive((record) => {
  channel.send(
    { kind: record.kind, flags: 0, connId: 0, roomId: 0, correlationId: 0, value: 0 },
    record.key,
    record.payload,
  );
});

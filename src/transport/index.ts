export {
  ENVELOPE_HEADER_BYTES,
  type EnvelopeHeader,
  EnvelopeKind,
  HEADER_CONN_ID_OFFSET,
  HEADER_CORRELATION_ID_OFFSET,
  HEADER_FLAGS_OFFSET,
  HEADER_KEY_LENGTH_OFFSET,
  HEADER_KIND_OFFSET,
  HEADER_PAYLOAD_LENGTH_OFFSET,
  HEADER_ROOM_ID_OFFSET,
  HEADER_VALUE_OFFSET,
  isEnvelopeKind,
  RESERVED_WRAP_KIND,
} from './envelope-header.js';
export { TransportError, type TransportErrorCode } from './errors.js';
export { RingConsumer, type RingRecordHandler } from './ring-consumer.js';
export {
  CTRL_CAPACITY,
  CTRL_CONSUMER_WAITING,
  CTRL_EPOCH,
  CTRL_MAGIC,
  CTRL_MAX_RECORD,
  CTRL_PRODUCER_WAITING,
  CTRL_READ_INDEX,
  CTRL_VERSION,
  CTRL_WRITE_INDEX,
  DEFAULT_RING_CAPACITY_BYTES,
  MAX_RING_CAPACITY_BYTES,
  MIN_RING_CAPACITY_BYTES,
  RING_DATA_OFFSET,
  RING_LAYOUT_VERSION,
  RING_MAGIC,
  recordBytes,
} from './ring-layout.js';
export {
  allocateRingPair,
  assertRingPair,
  isRingPair,
  type RingPair,
  type RingPairOptions,
} from './ring-pair.js';
export { RingProducer } from './ring-producer.js';
export type { RingRecord } from './ring-record.js';
export { SpscRing, type SpscRingOptions } from './spsc-ring.js';
export {
  type ChannelResetResult,
  type ChannelSide,
  DEFAULT_LINGER_MS,
  DEFAULT_MAX_DRAIN_BATCH,
  DEFAULT_MAX_QUEUED_BYTES,
  ThreadChannel,
  type ThreadChannelOptions,
} from './thread-channel.js';

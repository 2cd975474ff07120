export { ArqonNode, type ArqonNodeOptions } from './arqon-node.js';
export {
  defaultIdleProbe,
  IDLE_GC_CHECK_MS,
  IDLE_GC_MAX_BUSY,
  IDLE_GC_MIN_GROWTH_BYTES,
  IdleCollector,
  type IdleCollectorOptions,
  type IdleCollectorProbe,
} from './idle-collector.js';
export { NodeError, type NodeErrorCode } from './node-error.js';
export { type LogSink, NodeLog, STDERR_SINK } from './node-log.js';
export { verifierField, verifierOptions } from './verifier-options.js';

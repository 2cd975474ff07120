// src/cluster/base: ClusterError and its codes, ClusterLog events, option checks: what every
// cluster sub-area shares.
export { ClusterError, type ClusterErrorCode, quote } from './cluster-error.js';
export {
  asError,
  type ClusterLog,
  type ClusterLogEvent,
  SILENT_CLUSTER_LOG,
} from './cluster-log.js';
export {
  callback,
  natsConnection,
  nonEmptyString,
  optionError,
  optionsRecord,
  positiveInt,
} from './option-checks.js';

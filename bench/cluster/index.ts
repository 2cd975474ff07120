export {
  ClusterClient,
  type ClusterClientHandlers,
  type ClusterClientOptions,
} from './cluster-client.js';
export {
  type ClusterCollected,
  type ClusterCommand,
  type ClusterReport,
  PROBE_PREFIX,
} from './cluster-messages.js';
export {
  measurePresence,
  type PresenceOptions,
  type PresenceResult,
  type ProbeResult,
} from './cluster-presence.js';
export {
  deliveredShare,
  MIN_DELIVERED_SHARE,
  type RampOptions,
  type RampResult,
  type RampStep,
  rampToPeak,
} from './cluster-ramp.js';
export {
  CPU_BOUND_SHARE,
  clusterVerdict,
  cpuTable,
  pairTable,
  presenceTable,
  rampTable,
  TARGET_BROADCAST_PERIODS,
  TARGET_CROSS_P99_US,
  windowAnomalies,
  windowTable,
} from './cluster-report.js';
export {
  type ClusterGenerator,
  type LatencySummary,
  measureWindow,
  setRate,
  summarise,
  type WindowOptions,
  type WindowResult,
  type WindowTarget,
} from './cluster-window.js';
export { LocalCluster, type LocalClusterOptions } from './local-cluster.js';
export { NatsProcess, type NatsProcessOptions } from './nats-process.js';
export {
  DEFAULT_WINDOW_QUIET_WAIT_MS,
  DEFAULT_WINDOW_RETRIES,
  MAX_OTHER_CORES,
  measureUndisturbedWindow,
  otherCores,
  type UndisturbedWindow,
  type UndisturbedWindowOptions,
  waitForIdleCores,
} from './undisturbed-window.js';

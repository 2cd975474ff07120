export {
  ArqWsConnection,
  type ArqWsConnectionOptions,
  type ControlFrame,
  readStampDigits,
} from './arq-ws-connection.js';
export {
  type BenchClient,
  type BenchClientHandlers,
  type BenchClientOptions,
  type ClientProtocol,
  monotonicNs,
} from './bench-client.js';
export { BenchError, type BenchErrorCode } from './bench-error.js';
export {
  ARQON_BENCH_FLAGS,
  BENCH_HOST,
  BENCH_TENANT,
  type BenchNode,
  type BenchServerSpec,
  benchNodeAt,
  benchServerLabel,
  benchServerNode,
  clientProtocolOf,
  parseBenchServer,
  type StartBenchServerOptions,
  startBenchServer,
} from './bench-servers.js';
export { connectAndJoin, connectBenchClient, type JoinedClient } from './connect-bench-client.js';
export {
  type CpuProfile,
  type HotFunction,
  type ProfileSummary,
  summariseCpuProfile,
} from './cpu-profile-summary.js';
export { frozenBuildInfo, runFromFrozenBuild } from './frozen-build.js';
export { type FailedReport, GeneratorHandle, stopGenerators } from './generator-handle.js';
export { GeneratorPort } from './generator-port.js';
export { InspectorClient, type InspectorTarget } from './inspector-client.js';
export { type HistogramSnapshot, LatencyHistogram } from './latency-histogram.js';
export {
  formatLoadAverage,
  formatMachineInfo,
  type MachineInfo,
  machineInfo,
} from './machine-info.js';
export { markdownTable } from './markdown-table.js';
export { median } from './median.js';
export { type NodeMemory, readNodeMemory } from './node-memory.js';
export { type NumberFlagRule, numberFlag, numberListFlag } from './number-flag.js';
export {
  cpuDelta,
  type MachineCpu,
  type ProcCpu,
  readMachineCpu,
  readProcCpu,
  readVmRssBytes,
  USER_HZ,
} from './proc-stats.js';
export { RawWsSocket, type RawWsSocketOptions } from './raw-ws-socket.js';
export { runHeader } from './run-header.js';
export { runLimited } from './run-limited.js';
export {
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_STOP_TIMEOUT_MS,
  ServerProcess,
  type ServerProcessOptions,
} from './server-process.js';
export {
  DEFAULT_MAX_LOAD,
  DEFAULT_MIN_IDLE,
  DEFAULT_QUIET_SAMPLE_MS,
  DEFAULT_QUIET_WAIT_MS,
  type QuietOptions,
  type QuietResult,
  sampleIdle,
  waitForQuiet,
} from './wait-for-quiet.js';
export { DEFAULT_NODE_READY_TIMEOUT_MS, waitReady } from './wait-ready.js';
export {
  type FrameHandler,
  type FrameStreamFault,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_CONTINUATION,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  WsFrameReader,
} from './ws-frame-reader.js';

export { CliError, type CliErrorCode } from './cli-error.js';
export { freePort } from './free-port.js';
export { natsServerBinary } from './nats-server-binary.js';
export {
  DEFAULT_NATS_START_TIMEOUT_MS,
  type SpawnNatsServerOptions,
  spawnNatsServer,
} from './spawn-nats-server.js';

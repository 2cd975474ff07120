export { CliError, type CliErrorCode } from './cli-error.js';
export { freePort } from './free-port.js';
export { natsServerBinary } from './nats-server-binary.js';

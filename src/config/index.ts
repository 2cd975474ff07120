export { ConfigError, type ConfigErrorCode } from './config-error.js';
export * from './defaults.js';
export {
  type ConfigSources,
  type LogLevel,
  type NodeConfig,
  type PublicKeyAlg,
  resolveNodeConfig,
} from './node-config.js';
export { envName, OPTION_TABLE, type OptionName, type OptionRow } from './option-table.js';

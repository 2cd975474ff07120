export { hostProblem, natsServersProblem, redactNatsUrl } from './address-checks.js';
export { ConfigError, type ConfigErrorCode, type ConfigErrorOptions } from './config-error.js';
export { CONFIG_FIELDS, optionOfField } from './config-fields.js';
export { CONFIG_FILE_FLAG } from './config-file.js';
export * from './defaults.js';
export {
  type ConfigSources,
  type LogLevel,
  type NodeConfig,
  type PublicKeyAlg,
  type ResolvedConfig,
  resolveConfig,
  resolveNodeConfig,
} from './node-config.js';
export { OptionOrigins } from './option-origins.js';
export { quoteValue, type RawValue } from './option-reader.js';
export { describeSource, type OptionSource } from './option-source.js';
export { envName, OPTION_TABLE, type OptionName, type OptionRow } from './option-table.js';

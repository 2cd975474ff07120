export type ConfigErrorCode =
  | 'ARQ_ERR_CONFIG_INVALID'
  | 'ARQ_ERR_CONFIG_FILE'
  | 'ARQ_ERR_CONFIG_UNKNOWN';

/** A configuration value that cannot be used; the message names the option and where it came from. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  constructor(code: ConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
    this.code = code;
  }
}

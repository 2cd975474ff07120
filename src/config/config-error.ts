import type { OptionSource } from './option-source.js';

/**
 * ARQ_ERR_CONFIG_INVALID: a value that cannot be used; ARQ_ERR_CONFIG_UNUSABLE: a well-formed value
 * that did not work when the node started (NATS refused the connection, the address is taken);
 * ARQ_ERR_CONFIG_FILE: the config file cannot be read; ARQ_ERR_CONFIG_UNKNOWN: it has a key that is
 * no option.
 */
export type ConfigErrorCode =
  | 'ARQ_ERR_CONFIG_INVALID'
  | 'ARQ_ERR_CONFIG_UNUSABLE'
  | 'ARQ_ERR_CONFIG_FILE'
  | 'ARQ_ERR_CONFIG_UNKNOWN';

export interface ConfigErrorOptions {
  readonly cause?: unknown;
  /** The option at fault, when there is one. */
  readonly option?: string;
  readonly source?: OptionSource;
}

/** A configuration value that cannot be used; the message names the option and where it came from. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly option: string | null;
  readonly source: OptionSource | null;
  constructor(code: ConfigErrorCode, message: string, options: ConfigErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConfigError';
    this.code = code;
    this.option = options.option ?? null;
    this.source = options.source ?? null;
  }
}

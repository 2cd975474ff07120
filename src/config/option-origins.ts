import { ConfigError, type ConfigErrorCode } from './config-error.js';
import { describeSource, type OptionSource } from './option-source.js';
import type { OptionName } from './option-table.js';

const DEFAULT_SOURCE: OptionSource = { kind: 'default' };

/**
 * Where each option of a resolved configuration came from, and the one way to word an error about
 * options: `option jwt-secret (from environment ARQ_JWT_SECRET): must be at least 32 bytes ...`.
 */
export class OptionOrigins {
  readonly #sources: ReadonlyMap<OptionName, OptionSource>;

  constructor(sources: ReadonlyMap<OptionName, OptionSource>) {
    this.#sources = new Map(sources);
  }

  /** The source of `option`'s value; `default` when nothing set it. */
  sourceOf(option: OptionName): OptionSource {
    return this.#sources.get(option) ?? DEFAULT_SOURCE;
  }

  isSet(option: OptionName): boolean {
    return this.#sources.has(option);
  }

  /** `jwt-secret (from environment ARQ_JWT_SECRET)`. */
  describe(option: OptionName): string {
    return `${option} (${describeSource(option, this.sourceOf(option))})`;
  }

  /** A value that cannot be used. */
  invalid(option: OptionName, problem: string, cause?: unknown): ConfigError {
    return this.error('ARQ_ERR_CONFIG_INVALID', [option], problem, cause);
  }

  /**
   * An error about one or more options (the first is the one at fault, if that is known):
   * `option X (source): problem` or `options X (source) and Y (source): problem`.
   */
  error(
    code: ConfigErrorCode,
    options: readonly [OptionName, ...OptionName[]],
    problem: string,
    cause?: unknown,
  ): ConfigError {
    const names = options.map((option) => this.describe(option));
    const subject =
      names.length === 1
        ? `option ${names[0]}`
        : `options ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    return new ConfigError(code, `${subject}: ${problem}`, {
      option: options[0],
      source: this.sourceOf(options[0]),
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

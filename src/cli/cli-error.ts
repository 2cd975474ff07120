export type CliErrorCode = 'ARQ_ERR_CLI_USAGE';

/** A command line that cannot be run as written; printed with the usage text, exit code 2. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = 'ARQ_ERR_CLI_USAGE';
  }
}

/**
 * ARQ_ERR_CLI_USAGE: the command line as written; ARQ_ERR_CLI_NATS_SERVER: a local nats-server did
 * not start; ARQ_ERR_CLI_REQUEST: the node could not be reached or refused the request.
 */
export type CliErrorCode = 'ARQ_ERR_CLI_USAGE' | 'ARQ_ERR_CLI_NATS_SERVER' | 'ARQ_ERR_CLI_REQUEST';

/** A command that cannot be run as written (or set up); printed with the usage text, exit code 2. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  constructor(message: string, options?: { cause?: unknown; code?: CliErrorCode }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = options?.code ?? 'ARQ_ERR_CLI_USAGE';
  }
}

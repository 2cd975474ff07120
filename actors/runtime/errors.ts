/** Every failure the actor runtime reports, as a closed set of stable codes. */
export type ActorErrorCode =
  | 'ARQ_ERR_INVALID_OPTION'
  | 'ARQ_ERR_INVALID_ARGUMENT'
  | 'ARQ_ERR_ASK_TIMEOUT'
  | 'ARQ_ERR_NO_PROC'
  | 'ARQ_ERR_MAILBOX_FULL'
  | 'ARQ_ERR_NAME_TAKEN'
  | 'ARQ_ERR_ALREADY_NAMED'
  | 'ARQ_ERR_LINKED_EXIT'
  | 'ARQ_ERR_START_FAILED'
  | 'ARQ_ERR_NOT_ASKED'
  | 'ARQ_ERR_NOT_LOCAL'
  | 'ARQ_ERR_NO_TRANSPORT'
  | 'ARQ_ERR_NO_ROUTE'
  | 'ARQ_ERR_UNSERIALIZABLE'
  | 'ARQ_ERR_MISROUTED'
  | 'ARQ_ERR_SYSTEM_STOPPED';

/** An actor runtime failure; `cause` keeps the underlying error or exit reason. */
export class ActorError extends Error {
  readonly code: ActorErrorCode;
  constructor(code: ActorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ActorError';
    this.code = code;
  }
}

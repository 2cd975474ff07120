/** Stable codes of every error the supervision library throws or reports; branch on `code`. */
export type SupervisorErrorCode =
  /** Options or a child spec that cannot be used; the message names the option. */
  | 'ARQ_ERR_SUPERVISOR_OPTIONS'
  /** An operation called in a lifecycle state that forbids it (e.g. start() twice, startChild after stop). */
  | 'ARQ_ERR_SUPERVISOR_STATE'
  /** A child's start() rejected; `cause` is what it rejected with. */
  | 'ARQ_ERR_START_FAILED'
  /**
   * More restarts than maxRestarts within periodMs: the supervisor stopped all children and exited
   * with this. A parent supervisor sees that exit as `shutdown`, as in OTP (exitSeenByParent).
   */
  | 'ARQ_ERR_RESTART_INTENSITY'
  /** A dynamic supervisor already holds maxChildren children. */
  | 'ARQ_ERR_MAX_CHILDREN'
  /** A child with this id is already supervised. */
  | 'ARQ_ERR_DUPLICATE_CHILD'
  /** No child with this id is supervised. */
  | 'ARQ_ERR_CHILD_NOT_FOUND'
  /** The operation needs the child to be stopped first (restartChild, deleteChild). */
  | 'ARQ_ERR_CHILD_RUNNING'
  /** A worker thread failed (error or exit) before it posted its ready message. */
  | 'ARQ_ERR_WORKER_START'
  /** A worker thread did not post its ready message within readyTimeoutMs. */
  | 'ARQ_ERR_WORKER_READY_TIMEOUT'
  /** A worker thread exited with a non-zero code without an uncaught error (terminated from outside, process.exit(n)). */
  | 'ARQ_ERR_WORKER_EXIT'
  /** A worker-runtime helper was called outside a worker thread. */
  | 'ARQ_ERR_NOT_IN_WORKER';

export class SupervisorError extends Error {
  readonly code: SupervisorErrorCode;
  constructor(code: SupervisorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SupervisorError';
    this.code = code;
  }
}

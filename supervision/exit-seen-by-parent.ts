import { type ExitReason, SHUTDOWN_EXIT } from './child.js';
import { SupervisorError } from './errors.js';

/**
 * The exit a supervisor acts on when one of its children ends. A supervisor that gave up (restart
 * intensity exceeded) exits with ARQ_ERR_RESTART_INTENSITY, so whoever owns it can say why; to a
 * parent supervisor that is OTP's `shutdown`: restarted only if permanent, and a transient one that
 * stays down costs the parent no restart. Every other exit is seen as it is.
 */
export function exitSeenByParent(reason: ExitReason): ExitReason {
  const gaveUp =
    reason.type === 'error' &&
    reason.error instanceof SupervisorError &&
    reason.error.code === 'ARQ_ERR_RESTART_INTENSITY';
  return gaveUp ? SHUTDOWN_EXIT : reason;
}

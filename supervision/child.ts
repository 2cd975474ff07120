/**
 * The contract between a supervisor and what it supervises. A child is anything that can be started,
 * asked to stop, killed, and tells once how it ended; the supervisor knows nothing else about it.
 */

export type ExitReason =
  | { readonly type: 'normal' } // finished its work on its own
  | { readonly type: 'shutdown' } // stopped on request (stop())
  | { readonly type: 'killed' } // killed (kill(), or shutdown timeout elapsed)
  | { readonly type: 'error'; readonly error: unknown }; // crashed

export interface Child {
  /** Settles once (never rejects) when the child has exited, for any reason. */
  readonly exited: Promise<ExitReason>;
  /** Ask it to stop gracefully; it should then exit with 'shutdown'. Idempotent. */
  stop(): void;
  /** Force it to exit now (exit reason 'killed'). Idempotent. */
  kill(): void;
}

/** permanent: always restarted; transient: only after an abnormal exit; temporary: never. */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** Milliseconds to wait after stop() before kill(); 'brutal_kill' kills at once; 'infinity' never kills. */
export type Shutdown = number | 'brutal_kill' | 'infinity';

export interface ChildSpec {
  readonly id: string;
  readonly start: () => Promise<Child>; // a rejection is a start failure
  readonly restart?: RestartType; // default 'permanent'
  readonly shutdown?: Shutdown; // default DEFAULT_SHUTDOWN_MS (5000)
  readonly type?: 'worker' | 'supervisor';
}

export type ChildType = NonNullable<ChildSpec['type']>;

export const DEFAULT_SHUTDOWN_MS = 5_000;
export const DEFAULT_RESTART_TYPE: RestartType = 'permanent';
export const DEFAULT_CHILD_TYPE: ChildType = 'worker';

export const RESTART_TYPES: readonly RestartType[] = ['permanent', 'transient', 'temporary'];
export const CHILD_TYPES: readonly ChildType[] = ['worker', 'supervisor'];

export const NORMAL_EXIT: ExitReason = Object.freeze({ type: 'normal' });
export const SHUTDOWN_EXIT: ExitReason = Object.freeze({ type: 'shutdown' });
export const KILLED_EXIT: ExitReason = Object.freeze({ type: 'killed' });

/** As in OTP, ending on its own or on request is normal; being killed or crashing is not. */
export function isNormalExit(reason: ExitReason): boolean {
  return reason.type === 'normal' || reason.type === 'shutdown';
}

/** The OTP restart rule: whether a child of this restart type is restarted after this exit. */
export function shouldRestart(restart: RestartType, reason: ExitReason): boolean {
  switch (restart) {
    case 'permanent':
      return true;
    case 'transient':
      return !isNormalExit(reason);
    case 'temporary':
      return false;
  }
}

import type { ExitReason } from '../../supervision/index.js';

/** An error as one line for a pool event: name and message, or whatever else was thrown. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** A child's exit as one line for a `shard-exited` event. */
export function describeExit(reason: ExitReason): string {
  return reason.type === 'error' ? describeError(reason.error) : reason.type;
}

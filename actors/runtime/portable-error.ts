import type { DownReason } from './system-message.js';

/**
 * An error reduced to plain data. Structured clone drops an Error's own fields such as `code`, and
 * JSON drops everything, so reasons that leave the thread carry this instead of the Error object.
 */
export interface PortableError {
  readonly name: string;
  readonly message: string;
  readonly code: string | null;
  readonly stack: string | null;
}

export function toPortableError(error: unknown): PortableError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      code: typeof code === 'string' ? code : null,
      stack: error.stack ?? null,
    };
  }
  return { name: 'NonError', message: String(error), code: null, stack: null };
}

/** The same reason, with an `error` reason's payload made portable. */
export function portableReason(reason: DownReason): DownReason {
  return reason.type === 'error' ? { type: 'error', error: toPortableError(reason.error) } : reason;
}

import type { ClientFrame } from './client-frame.js';
import { WireError, type WireErrorCode } from './wire-error.js';

/**
 * What a decoder returns; decoders never throw. On failure `ref` is the frame's `ref` when it could
 * be read, so that the answer is a `reply` to it rather than a bare `error`.
 */
export type DecodeResult =
  | { readonly ok: true; readonly frame: ClientFrame }
  | { readonly ok: false; readonly ref?: string; readonly error: WireError };

export function decodeFailure(
  code: WireErrorCode,
  message: string,
  ref: string | undefined,
  cause?: unknown,
): DecodeResult {
  const error = new WireError(code, message, cause === undefined ? undefined : { cause });
  return ref === undefined ? { ok: false, error } : { ok: false, ref, error };
}

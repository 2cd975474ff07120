import type { WireErrorCode } from './wire-error.js';

/** The JSON body of an HTTP error response: `{"error":{"code":..,"message":..}}`. */
export function httpErrorBody(code: WireErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/**
 * Codes of everything src/auth can throw. The `ARQ_ERR_TOKEN_*` codes are token rejections (the
 * edge answers all of them with 401 `unauthorized`); the others are programming or configuration
 * errors found when options, room names or patterns are checked.
 */
export type AuthErrorCode =
  | 'ARQ_ERR_TOKEN_MALFORMED'
  | 'ARQ_ERR_TOKEN_EXPIRED'
  | 'ARQ_ERR_TOKEN_NOT_YET_VALID'
  | 'ARQ_ERR_TOKEN_SIGNATURE'
  | 'ARQ_ERR_TOKEN_ALG'
  | 'ARQ_ERR_TOKEN_UNKNOWN_KEY'
  | 'ARQ_ERR_TOKEN_CLAIMS'
  | 'ARQ_ERR_AUTH_OPTIONS'
  | 'ARQ_ERR_ROOM_NAME'
  | 'ARQ_ERR_ROOM_PATTERN';

/** The codes that mean "this token is not acceptable" (as opposed to a misconfiguration). */
export const TOKEN_REJECTION_CODES: ReadonlySet<AuthErrorCode> = new Set<AuthErrorCode>([
  'ARQ_ERR_TOKEN_MALFORMED',
  'ARQ_ERR_TOKEN_EXPIRED',
  'ARQ_ERR_TOKEN_NOT_YET_VALID',
  'ARQ_ERR_TOKEN_SIGNATURE',
  'ARQ_ERR_TOKEN_ALG',
  'ARQ_ERR_TOKEN_UNKNOWN_KEY',
  'ARQ_ERR_TOKEN_CLAIMS',
]);

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
  }

  /** True for a rejected token, false for bad options, room names or patterns. */
  get isTokenRejection(): boolean {
    return TOKEN_REJECTION_CODES.has(this.code);
  }
}

const MAX_QUOTED_CHARS = 64;

/**
 * Renders an untrusted value for an error message: JSON-quoted and cut short, so that a hostile
 * claim cannot flood logs or inject line breaks.
 */
export function quote(value: unknown): string {
  let text: string;
  try {
    text =
      typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}...` : text;
}

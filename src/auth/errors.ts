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

/**
 * The options field an `ARQ_ERR_AUTH_OPTIONS` error is about, for a caller that words its own
 * message (the CLI names the flag the field came from).
 */
export interface OptionFault {
  /** Path in the options object, without `options.`: `keys[0].secret`, `clockToleranceSec`. */
  readonly path: string;
  /** What is wrong, readable on its own: `must be at least 32 bytes for HS256, got 5`. */
  readonly problem: string;
}

/** Names an options field in messages; `within` narrows it down (a key inside a JWKS file). */
export interface FieldLabel {
  readonly path: string;
  readonly within?: string;
}

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  /** Set on options errors that are about one field. */
  readonly fault: OptionFault | null;
  constructor(
    code: AuthErrorCode,
    message: string,
    options?: { readonly cause?: unknown; readonly fault?: OptionFault },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthError';
    this.code = code;
    this.fault = options?.fault ?? null;
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

/**
 * An `ARQ_ERR_AUTH_OPTIONS` error about one field: `options.keys[0].secret must be ...`, or with
 * `within`, `options.keys[1].jwksFile: "/etc/jwks.json" keys[2] is a private key ...`.
 */
export function fieldError(label: FieldLabel, problem: string, cause?: unknown): AuthError {
  const field = label.path === '' ? 'options' : `options.${label.path}`;
  const full = label.within === undefined ? problem : `${label.within} ${problem}`;
  const message = label.within === undefined ? `${field} ${problem}` : `${field}: ${full}`;
  return new AuthError('ARQ_ERR_AUTH_OPTIONS', message, {
    fault: { path: label.path, problem: full },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Why a file could not be read or parsed, on one line (a parser may quote the file's lines). */
export function reasonOf(cause: unknown): string {
  return (cause instanceof Error ? cause.message : String(cause)).replace(/\s+/g, ' ').trim();
}

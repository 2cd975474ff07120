import { WireError, type WireErrorCode } from './wire-error.js';

/**
 * How one internal error code shows on the wire. `message` is the text the client sees; `null`
 * forwards the error's own message, allowed only for errors that describe the client's own input
 * (a bad room name) because anything else may carry internals (ids, paths, thread names).
 */
export interface WireErrorRule {
  readonly code: WireErrorCode;
  readonly message: string | null;
}

/** What a client sees for anything not in the table. */
export const INTERNAL_ERROR_MESSAGE = 'internal error';

const OVERLOADED = 'the server is busy; retry later';

/**
 * THE mapping from internal error codes (the `code` of other modules' error classes) to wire codes.
 * To map a new internal error, add one line here; anything missing becomes `internal`.
 */
export const WIRE_ERROR_TABLE: Readonly<Record<string, WireErrorRule>> = Object.freeze({
  // auth (src/auth): every rejected token is `unauthorized`, without saying which check failed
  ARQ_ERR_TOKEN_MALFORMED: { code: 'unauthorized', message: 'token malformed' },
  ARQ_ERR_TOKEN_EXPIRED: { code: 'unauthorized', message: 'token expired' },
  ARQ_ERR_TOKEN_NOT_YET_VALID: { code: 'unauthorized', message: 'token not yet valid' },
  ARQ_ERR_TOKEN_SIGNATURE: { code: 'unauthorized', message: 'token invalid' },
  ARQ_ERR_TOKEN_ALG: { code: 'unauthorized', message: 'token invalid' },
  ARQ_ERR_TOKEN_UNKNOWN_KEY: { code: 'unauthorized', message: 'token invalid' },
  ARQ_ERR_TOKEN_CLAIMS: { code: 'unauthorized', message: 'token claims invalid' },
  // rooms
  ARQ_ERR_ROOM_NAME: { code: 'bad_frame', message: null },
  ARQ_ERR_ROOM_OVERLOADED: { code: 'overloaded', message: 'room is overloaded; retry later' },
  ARQ_ERR_ROOM_FAILED: { code: 'internal', message: INTERNAL_ERROR_MESSAGE },
  ARQ_ERR_NOT_JOINED: { code: 'not_joined', message: 'not joined to this room' },
  // back-pressure and transient failures inside the node: the client may retry
  ARQ_ERR_RING_FULL: { code: 'overloaded', message: OVERLOADED },
  ARQ_ERR_MAX_CHILDREN: { code: 'overloaded', message: OVERLOADED },
  ARQ_ERR_ASK_TIMEOUT: { code: 'overloaded', message: OVERLOADED },
  ARQ_ERR_ROOM_STOPPED: { code: 'overloaded', message: OVERLOADED },
  // shard threads (src/shard): a shard restarting or gone; the request may be retried
  ARQ_ERR_SHARD_DOWN: { code: 'overloaded', message: 'room restarting; retry' },
  ARQ_ERR_SHARD_TIMEOUT: { code: 'overloaded', message: OVERLOADED },
  ARQ_ERR_SHARD_STOPPED: { code: 'overloaded', message: 'node is stopping' },
  // safety policies (src/policy): a deny carries the policy's reason; a refused push says why
  ARQ_ERR_POLICY_DENIED: { code: 'policy_denied', message: null },
  ARQ_ERR_POLICY_DISCONNECT: { code: 'policy_denied', message: null },
  ARQ_ERR_POLICY_MODULE: { code: 'bad_frame', message: null },
  ARQ_ERR_POLICY_NAME: { code: 'bad_frame', message: null },
  ARQ_ERR_POLICY_OPTIONS: { code: 'bad_frame', message: null },
  ARQ_ERR_POLICY_NOT_FOUND: { code: 'no_such_room', message: null },
  ARQ_ERR_POLICY_STORE: { code: 'overloaded', message: null },
});

/**
 * The one place where an internal error becomes a wire error. A `WireError` passes through; an
 * error (or plain object, e.g. one that crossed a thread) with a `code` found in `table` maps by its
 * rule; anything else is `internal` with a generic message. The original is kept as `cause` for logs.
 */
export function toWireError(
  err: unknown,
  table: Readonly<Record<string, WireErrorRule>> = WIRE_ERROR_TABLE,
): WireError {
  if (err instanceof WireError) return err;
  const code = internalCode(err);
  const rule = code !== undefined && Object.hasOwn(table, code) ? table[code] : undefined;
  if (rule === undefined) return new WireError('internal', INTERNAL_ERROR_MESSAGE, { cause: err });
  const message = rule.message ?? forwardedMessage(err) ?? INTERNAL_ERROR_MESSAGE;
  return new WireError(rule.code, message, { cause: err });
}

function internalCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function forwardedMessage(err: unknown): string | undefined {
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

/**
 * The error codes a client can be rejected with: the server's closed set (docs/protocol.md, "Errors",
 * copied here rather than imported so the SDK stays free of server code) plus the client's own.
 */
export type WireErrorCode =
  | 'bad_frame'
  | 'unknown_op'
  | 'unauthorized'
  | 'forbidden'
  | 'not_joined'
  | 'no_such_room'
  | 'too_large'
  | 'rate_limited'
  | 'policy_denied'
  | 'overloaded'
  | 'internal';

export const WIRE_ERROR_CODES: readonly WireErrorCode[] = Object.freeze([
  'bad_frame',
  'unknown_op',
  'unauthorized',
  'forbidden',
  'not_joined',
  'no_such_room',
  'too_large',
  'rate_limited',
  'policy_denied',
  'overloaded',
  'internal',
]);

/**
 * Problems found on this side of the socket:
 * - `ARQ_CLIENT_INVALID_OPTION`: a constructor option is wrong (the message names it).
 * - `ARQ_CLIENT_INVALID_ARGUMENT`: a method argument is wrong (e.g. an empty room name).
 * - `ARQ_CLIENT_NOT_CONNECTED`: a request made while no connection is up; it was not sent.
 * - `ARQ_CLIENT_DISCONNECTED`: the connection dropped while a request was in flight; it may or may
 *   not have taken effect.
 * - `ARQ_CLIENT_TIMEOUT`: no reply within `requestTimeoutMs`.
 * - `ARQ_CLIENT_CLOSED`: the client was closed (by `close()` or by a close that ends reconnecting).
 * - `ARQ_CLIENT_CONNECT_FAILED`: `connect()` could not reach a welcome on any URL.
 * - `ARQ_CLIENT_TOKEN_FAILED`: the token function threw, rejected or gave a non-string.
 * - `ARQ_CLIENT_BAD_FRAME`: the server sent a frame this client cannot read.
 */
export type ClientSideErrorCode =
  | 'ARQ_CLIENT_INVALID_OPTION'
  | 'ARQ_CLIENT_INVALID_ARGUMENT'
  | 'ARQ_CLIENT_NOT_CONNECTED'
  | 'ARQ_CLIENT_DISCONNECTED'
  | 'ARQ_CLIENT_TIMEOUT'
  | 'ARQ_CLIENT_CLOSED'
  | 'ARQ_CLIENT_CONNECT_FAILED'
  | 'ARQ_CLIENT_TOKEN_FAILED'
  | 'ARQ_CLIENT_BAD_FRAME';

export type ArqonClientErrorCode = WireErrorCode | ClientSideErrorCode;

const WIRE_CODE_SET: ReadonlySet<string> = new Set(WIRE_ERROR_CODES);

export function isWireErrorCode(value: unknown): value is WireErrorCode {
  return typeof value === 'string' && WIRE_CODE_SET.has(value);
}

export class ArqonClientError extends Error {
  readonly code: ArqonClientErrorCode;

  constructor(code: ArqonClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArqonClientError';
    this.code = code;
  }

  /** True when the code came from the server (a `reply` or `error` frame). */
  get fromServer(): boolean {
    return isWireErrorCode(this.code);
  }
}

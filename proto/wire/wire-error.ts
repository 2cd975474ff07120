/**
 * The closed set of error codes a client can see (docs/protocol.md, "Errors"). Adding one is a protocol
 * change: clients switch on these strings.
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

const CODE_SET: ReadonlySet<string> = new Set(WIRE_ERROR_CODES);

export function isWireErrorCode(value: unknown): value is WireErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}

/** What goes on the wire as `error`: `{"code":..,"message":..}`. A `WireError` is one. */
export interface WireErrorBody {
  readonly code: WireErrorCode;
  readonly message: string;
}

/**
 * An error meant for a client. Its message is sent as is, so it must describe the client's own
 * input or a generic condition, never internals (`toWireError` is the gate for everything else).
 */
export class WireError extends Error implements WireErrorBody {
  readonly code: WireErrorCode;
  constructor(code: WireErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WireError';
    this.code = code;
  }

  /** The wire shape; also what `JSON.stringify` of a WireError gives. */
  toJSON(): WireErrorBody {
    return { code: this.code, message: this.message };
  }
}

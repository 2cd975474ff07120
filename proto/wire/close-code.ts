/** WebSocket close codes of docs/protocol.md. */
export const CLOSE_TOKEN_EXPIRED = 4001;
/** Dropped by policy. */
export const CLOSE_POLICY_DROP = 4003;
/** Slow consumer (send buffer over its limit) or rate abuse. */
export const CLOSE_SLOW_CONSUMER = 4008;
/** The node is draining: reconnect elsewhere. */
export const CLOSE_DRAINING = 4009;
/** RFC 6455 policy violation: here, too many bad frames. */
export const CLOSE_POLICY_VIOLATION = 1008;
/** RFC 6455 message too big: a frame over the hard size limit. */
export const CLOSE_MESSAGE_TOO_BIG = 1009;

export type CloseCode =
  | typeof CLOSE_TOKEN_EXPIRED
  | typeof CLOSE_POLICY_DROP
  | typeof CLOSE_SLOW_CONSUMER
  | typeof CLOSE_DRAINING
  | typeof CLOSE_POLICY_VIOLATION
  | typeof CLOSE_MESSAGE_TOO_BIG;

/**
 * Which server closes end the client and which lead to a reconnect. Close codes are those of
 * docs/protocol.md, "Errors" (copied: the SDK imports no server code).
 *
 * - 4001 (token expired or revoked): reconnect only when the token option is a function, which is
 *   then called for a fresh token; a fixed token string would only be refused again.
 * - 4003 (dropped by policy) and 1008 (policy violation): never; the server does not want this
 *   client back, and retrying would only repeat the offence.
 * - Anything else, 4009 (node draining) and 4008 (slow consumer) included, and a socket that just
 *   dropped (1006): reconnect with backoff, to the next URL of the list.
 */
export const CLOSE_NORMAL = 1000;
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_MESSAGE_TOO_BIG = 1009;
export const CLOSE_TOKEN_EXPIRED = 4001;
export const CLOSE_POLICY_DROP = 4003;
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_DRAINING = 4009;
/** What this client closes with when heartbeats go unanswered (4000-4999 is application space). */
export const CLOSE_HEARTBEAT_TIMEOUT = 4000;

export function shouldReconnect(code: number, tokenIsFunction: boolean): boolean {
  switch (code) {
    case CLOSE_POLICY_VIOLATION:
    case CLOSE_POLICY_DROP:
      return false;
    case CLOSE_TOKEN_EXPIRED:
      return tokenIsFunction;
    default:
      return true;
  }
}

/**
 * The life of an ArqonClient:
 *
 *   idle --connect()--> connecting --welcome--> connected --server close--> reconnecting
 *     ^                     |                       |                          |   ^
 *     +--- all URLs failed -+                       |            welcome <-----+   | failed
 *                                                   v                          +---+ attempt
 *   closed <-- close(), or a close that ends reconnecting (see close-policy.ts) -----+
 */
export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface StateChange {
  readonly state: ClientState;
  readonly previous: ClientState;
  /** The WebSocket close code that caused the change; null when no socket closed. */
  readonly code: number | null;
  readonly reason: string;
}

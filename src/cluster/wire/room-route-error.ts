/**
 * Codes of the errors a room request routed through the cluster can end with. The room's own codes
 * (and the node's transient ones) cross from the owner node unchanged, so `toWireError` maps them
 * exactly as it would had the room been local; a code this list lacks arrives as
 * `ARQ_ERR_ROOM_FAILED` (`internal`), as an unmapped code would locally.
 */
export type RoomRouteErrorCode =
  // the room's own answers and the owner node's transient failures, forwarded as they are
  | 'ARQ_ERR_ROOM_NAME'
  | 'ARQ_ERR_ROOM_OVERLOADED'
  | 'ARQ_ERR_ROOM_FAILED'
  | 'ARQ_ERR_NOT_JOINED'
  | 'ARQ_ERR_RING_FULL'
  | 'ARQ_ERR_MAX_CHILDREN'
  | 'ARQ_ERR_ASK_TIMEOUT'
  | 'ARQ_ERR_ROOM_STOPPED'
  | 'ARQ_ERR_SHARD_DOWN'
  | 'ARQ_ERR_SHARD_TIMEOUT'
  | 'ARQ_ERR_SHARD_STOPPED'
  // an owner's shard denied a publish by policy (with the reason as message)
  | 'ARQ_ERR_POLICY_DENIED'
  | 'ARQ_ERR_POLICY_DISCONNECT'
  /**
   * Between nodes only: the node asked does not own the room by its ring (the rings disagree
   * during a membership change). The asker retries against the owner of its own, later, ring and,
   * past its budget, fails with ARQ_ERR_SHARD_DOWN, so this code never reaches a client.
   */
  | 'ARQ_ERR_NOT_OWNER'
  /** A request or reply that did not parse (a bug or a foreign publisher on our subjects). */
  | 'ARQ_ERR_CLUSTER_MALFORMED';

const FORWARDED: ReadonlySet<string> = new Set<RoomRouteErrorCode>([
  'ARQ_ERR_ROOM_NAME',
  'ARQ_ERR_ROOM_OVERLOADED',
  'ARQ_ERR_ROOM_FAILED',
  'ARQ_ERR_NOT_JOINED',
  'ARQ_ERR_RING_FULL',
  'ARQ_ERR_MAX_CHILDREN',
  'ARQ_ERR_ASK_TIMEOUT',
  'ARQ_ERR_ROOM_STOPPED',
  'ARQ_ERR_SHARD_DOWN',
  'ARQ_ERR_SHARD_TIMEOUT',
  'ARQ_ERR_SHARD_STOPPED',
  'ARQ_ERR_POLICY_DENIED',
  'ARQ_ERR_POLICY_DISCONNECT',
  'ARQ_ERR_NOT_OWNER',
  'ARQ_ERR_CLUSTER_MALFORMED',
]);

/**
 * A room request through the cluster that failed: the owner's answer re-created on this side, or
 * the route itself failing (an owner that is gone or silent: ARQ_ERR_SHARD_DOWN, which clients see
 * as `overloaded`, as for a restarting shard).
 */
export class RoomRouteError extends Error {
  readonly code: RoomRouteErrorCode;
  constructor(code: RoomRouteErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RoomRouteError';
    this.code = code;
  }
}

/** The code an owner's error answer travels with: its own when forwarded, else ROOM_FAILED. */
export function routeCodeOf(code: unknown): RoomRouteErrorCode {
  return typeof code === 'string' && FORWARDED.has(code)
    ? (code as RoomRouteErrorCode)
    : 'ARQ_ERR_ROOM_FAILED';
}

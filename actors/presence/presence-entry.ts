/** A JSON value, as a client's `meta` may hold. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** The client-chosen part of a presence (the `meta` of a `join` frame). Treated as immutable. */
export type PresenceMeta = { readonly [key: string]: JsonValue };

/**
 * One connection in one topic, as one replica wrote it. The dot `(node, incarnation, clock)` names
 * it uniquely and for ever: a meta update is a new entry with a new clock, never an edit.
 */
export interface PresenceEntry {
  /** The room, tenant-qualified. */
  readonly topic: string;
  /** The presence key: the token's `sub`. */
  readonly key: string;
  /** The connection id, unique within its node. */
  readonly conn: string;
  readonly node: string;
  readonly incarnation: string;
  readonly clock: number;
  /** When the connection joined the topic (ms since the epoch, from the writer's clock). */
  readonly onlineAt: number;
  readonly meta: PresenceMeta;
}

import { isValidRoomName, WireError } from '../../proto/wire/index.js';
import { roomKeyOf } from './room-key.js';

/**
 * Who a connection speaks for, as much of it as the connection reads: the node's verified token
 * (src/auth's `Principal`) is one. It is an interface here, not an import of src/auth, so that
 * actors/ does not depend on the node: how tokens are verified and claims compiled stays in src/,
 * above the actors, and the arrow between the layers points one way (ARCHITECTURE.md, layers).
 */
export interface ConnectionPrincipal {
  readonly sub: string;
  /** The `tid` claim; every room key of the connection is scoped to it. */
  readonly tenant: string;
  /** The rooms it may join and publish to; `matches` is false for an invalid room name. */
  readonly rooms: readonly { matches(room: string): boolean }[];
  readonly caps: { has(cap: 'publish' | 'presence'): boolean };
  /** `exp` in ms since the epoch; null when the token does not expire. */
  readonly expiresAtMs: number | null;
}

/** True when one of the principal's room patterns covers `room` (as src/auth's principalMayAccess). */
export function principalMayAccess(principal: ConnectionPrincipal, room: string): boolean {
  return principal.rooms.some((pattern) => pattern.matches(room));
}

/**
 * The room's key; throws the wire error when the name is invalid or, if `check`, when the token
 * does not allow the room (a leave is not checked: a refreshed token may have narrowed the rooms).
 */
export function authorizedRoomKey(
  principal: ConnectionPrincipal,
  room: string,
  check: boolean,
): string {
  if (!isValidRoomName(room)) throw new WireError('bad_frame', 'room: not a valid room name');
  if (check && !principalMayAccess(principal, room)) {
    throw new WireError('forbidden', 'the token does not allow this room');
  }
  return roomKeyOf(principal.tenant, room);
}

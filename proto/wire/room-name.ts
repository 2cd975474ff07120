/** Longest room name or room pattern accepted, in characters. */
export const MAX_ROOM_NAME_LENGTH = 200;

/** Segments of `A-Z a-z 0-9 _ - : @` separated by dots; `*` and `>` exist only in token patterns. */
export const ROOM_NAME_RE = /^[A-Za-z0-9_\-:@]+(?:\.[A-Za-z0-9_\-:@]+)*$/;

/**
 * A concrete room name: what `join`/`publish` frames carry. Wildcards are not allowed. Part of the
 * wire contract (docs/protocol.md, Tokens) and not of auth, because frames are checked against it
 * before any token is: the connection actor answers `bad_frame` for a name that fails it.
 */
export function isValidRoomName(room: unknown): room is string {
  return typeof room === 'string' && room.length <= MAX_ROOM_NAME_LENGTH && ROOM_NAME_RE.test(room);
}

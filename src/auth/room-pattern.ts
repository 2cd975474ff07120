import { isValidRoomName, MAX_ROOM_NAME_LENGTH, ROOM_NAME_RE } from '../../proto/wire/index.js';
import { AuthError, quote } from './errors.js';

/** Characters of one segment; `.` separates segments, `*` and `>` exist only in patterns. */
const SEGMENT_RE = /^[A-Za-z0-9_\-:@]+$/;

/** Why `room` is not a valid concrete room name, or null when it is. */
function roomNameProblem(room: unknown): string | null {
  if (typeof room !== 'string') return `must be a string, got ${typeof room}`;
  if (room.length === 0) return 'must not be empty';
  if (room.length > MAX_ROOM_NAME_LENGTH) {
    return `must be at most ${MAX_ROOM_NAME_LENGTH} characters, got ${room.length}`;
  }
  if (ROOM_NAME_RE.test(room)) return null;
  if (room.includes('*') || room.includes('>')) return 'must not contain the wildcards * or >';
  if (room.split('.').some((segment) => segment.length === 0)) {
    return 'must not have empty segments (leading, trailing or doubled dots)';
  }
  return 'may only contain A-Z a-z 0-9 _ - : @ and the dot separator';
}

/** Throws `ARQ_ERR_ROOM_NAME` with the reason when `room` is not a valid concrete room name. */
export function assertValidRoomName(room: unknown): asserts room is string {
  const problem = roomNameProblem(room);
  if (problem !== null) {
    throw new AuthError('ARQ_ERR_ROOM_NAME', `room name ${quote(room)} ${problem}`);
  }
}

/**
 * A compiled room pattern from a token's `rooms` claim. Segments are split on `.`; `*` matches
 * exactly one segment, `>` matches one or more remaining segments and may only be the last
 * segment; any other segment is literal. `game.>` matches `game.1` and `game.1.chat`, not `game`.
 */
export class RoomPattern {
  readonly #source: string;
  /** Segments before a trailing `>` (all of them when there is none). */
  readonly #fixed: readonly string[];
  readonly #tail: boolean;
  readonly #literal: boolean;

  private constructor(source: string, fixed: readonly string[], tail: boolean) {
    this.#source = source;
    this.#fixed = fixed;
    this.#tail = tail;
    this.#literal = !tail && !fixed.includes('*');
    Object.freeze(this);
  }

  /** Throws `ARQ_ERR_ROOM_PATTERN` with the reason when `pattern` is not a valid pattern. */
  static compile(pattern: unknown): RoomPattern {
    const fail = (problem: string): never => {
      throw new AuthError('ARQ_ERR_ROOM_PATTERN', `room pattern ${quote(pattern)} ${problem}`);
    };
    if (typeof pattern !== 'string') return fail(`must be a string, got ${typeof pattern}`);
    if (pattern.length === 0) return fail('must not be empty');
    if (pattern.length > MAX_ROOM_NAME_LENGTH) {
      return fail(`must be at most ${MAX_ROOM_NAME_LENGTH} characters, got ${pattern.length}`);
    }
    const segments = pattern.split('.');
    const last = segments.length - 1;
    segments.forEach((segment, i) => {
      if (segment === '*') return;
      if (segment === '>') {
        if (i !== last) fail('may use > only as the last segment');
        return;
      }
      if (segment.length === 0) {
        fail('must not have empty segments (leading, trailing or doubled dots)');
      }
      if (!SEGMENT_RE.test(segment)) {
        fail(
          `has an invalid segment ${quote(segment)}: a segment is *, > or made of A-Z a-z 0-9 _ - : @`,
        );
      }
    });
    const tail = segments[last] === '>';
    return new RoomPattern(pattern, tail ? segments.slice(0, last) : segments, tail);
  }

  /** The pattern as written in the token. */
  get source(): string {
    return this.#source;
  }

  /** True when `room` is a valid concrete room name that this pattern covers. */
  matches(room: string): boolean {
    if (!isValidRoomName(room)) return false;
    if (this.#literal) return room === this.#source;
    const parts = room.split('.');
    const fixed = this.#fixed;
    // `>` needs at least one segment of its own.
    if (this.#tail ? parts.length <= fixed.length : parts.length !== fixed.length) return false;
    for (let i = 0; i < fixed.length; i++) {
      const segment = fixed[i]!;
      if (segment !== '*' && segment !== parts[i]) return false;
    }
    return true;
  }

  toString(): string {
    return this.#source;
  }

  toJSON(): string {
    return this.#source;
  }
}

import type { ResumeFrom } from '../../actors/index.js';

/** A connection whose membership of a room can be restarted (ConnectionActor). */
export interface RestorableMember {
  /**
   * Joins `roomKey` again with `restore`; false when nothing was sent (the connection closed or
   * left the room). `done` gets the join's outcome.
   */
  restore(roomKey: string, since: ResumeFrom | null, done: (error: Error | null) => void): boolean;
}

/** The first wait before a refused restore is tried again, and the longest (it doubles). */
export const RESTORE_RETRY_MIN_MS = 100;
export const RESTORE_RETRY_MAX_MS = 2_000;

/**
 * Refusals that registered nothing, so asking again cannot repeat a replay: the room could not
 * serve the join yet (a durable room whose new shard cannot read its stream yet answers
 * `overloaded`), or the shard's ring was full. A shard that went down is not retried here: its
 * next start restores every membership once more. A timeout is not either: the room may have
 * taken the join, and a second one would replay its messages twice.
 */
const REFUSALS: ReadonlySet<string> = new Set(['ARQ_ERR_ROOM_OVERLOADED', 'ARQ_ERR_RING_FULL']);

interface Attempt {
  timer: NodeJS.Timeout | null;
  delayMs: number;
}

/**
 * Restarts memberships after a room's shard or owner restarted, and keeps asking while the room
 * refuses. Without this a member whose restore was refused stays subscribed to the room's topic
 * but unknown to the room, and never gets the replay of what the old room stored and did not
 * deliver. One attempt chain per connection and room: a newer restore replaces an older one.
 */
export class RoomRestores {
  readonly #attempts = new Map<string, Attempt>();
  #closed = false;

  /** Restore chains waiting for their next try or for an answer. */
  get pending(): number {
    return this.#attempts.size;
  }

  restore(
    connId: number,
    member: RestorableMember,
    roomKey: string,
    since: ResumeFrom | null,
  ): void {
    if (this.#closed) return;
    const key = `${connId}\u0000${roomKey}`;
    const previous = this.#attempts.get(key);
    if (previous?.timer != null) clearTimeout(previous.timer);
    const attempt: Attempt = { timer: null, delayMs: RESTORE_RETRY_MIN_MS };
    this.#attempts.set(key, attempt);
    this.#try(key, attempt, member, roomKey, since);
  }

  close(): void {
    this.#closed = true;
    for (const attempt of this.#attempts.values())
      if (attempt.timer !== null) clearTimeout(attempt.timer);
    this.#attempts.clear();
  }

  #try(
    key: string,
    attempt: Attempt,
    member: RestorableMember,
    roomKey: string,
    since: ResumeFrom | null,
  ): void {
    const sent = member.restore(roomKey, since, (error) => {
      if (this.#attempts.get(key) !== attempt) return; // replaced by a newer restore
      if (error === null || !REFUSALS.has(codeOf(error))) {
        this.#attempts.delete(key);
        return;
      }
      attempt.timer = setTimeout(() => {
        attempt.timer = null;
        if (this.#attempts.get(key) === attempt) this.#try(key, attempt, member, roomKey, since);
      }, attempt.delayMs);
      attempt.delayMs = Math.min(RESTORE_RETRY_MAX_MS, attempt.delayMs * 2);
    });
    if (!sent && this.#attempts.get(key) === attempt) this.#attempts.delete(key);
  }
}

function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

import type { JsonObject } from '../../proto/wire/index.js';

/** The meta of a join without one: shared by every such membership (presence never mutates metas). */
export const EMPTY_META: JsonObject = Object.freeze({}) as JsonObject;

export interface Membership {
  readonly roomKey: string;
  readonly room: string;
  readonly meta: JsonObject;
  readonly onlineAt: number;
  /** Subscribed to presence topics (the token has the `presence` cap). */
  readonly presence: boolean;
}

/**
 * A connection's rooms by room key. Most connections are in one room, and a `Map` with its hash
 * table costs more than the rest of an idle connection's state: one membership is kept in a field,
 * and a `Map` is made only for a second room (and dropped again when one is left).
 */
export class RoomMemberships {
  #one: Membership | null = null;
  #many: Map<string, Membership> | null = null;

  get size(): number {
    return this.#many !== null ? this.#many.size : this.#one === null ? 0 : 1;
  }

  get(roomKey: string): Membership | undefined {
    if (this.#many !== null) return this.#many.get(roomKey);
    return this.#one?.roomKey === roomKey ? this.#one : undefined;
  }

  has(roomKey: string): boolean {
    return this.get(roomKey) !== undefined;
  }

  /** Adds or replaces the membership of `membership.roomKey`. */
  set(membership: Membership): void {
    if (this.#many !== null) {
      this.#many.set(membership.roomKey, membership);
    } else if (this.#one === null || this.#one.roomKey === membership.roomKey) {
      this.#one = membership;
    } else {
      this.#many = new Map([
        [this.#one.roomKey, this.#one],
        [membership.roomKey, membership],
      ]);
      this.#one = null;
    }
  }

  delete(roomKey: string): boolean {
    if (this.#many === null) {
      if (this.#one?.roomKey !== roomKey) return false;
      this.#one = null;
      return true;
    }
    if (!this.#many.delete(roomKey)) return false;
    if (this.#many.size === 1) {
      this.#one = this.#many.values().next().value as Membership;
      this.#many = null;
    }
    return true;
  }

  clear(): void {
    this.#one = null;
    this.#many = null;
  }

  /** The memberships in the order they were added (as a Map would give them). */
  *values(): IterableIterator<Membership> {
    if (this.#many !== null) yield* this.#many.values();
    else if (this.#one !== null) yield this.#one;
  }

  *keys(): IterableIterator<string> {
    for (const membership of this.values()) yield membership.roomKey;
  }
}

import type { Subscription } from '@nats-io/transport-node';

interface Entry {
  readonly members: Set<number>;
  /** Joins and leaves in flight: the room stays of interest (and subscribed) until they settle. */
  inflight: number;
  sub: Subscription | null;
}

/**
 * The rooms this node has local members in, counted from the joins and leaves that pass through
 * the gateway, and the fan-out subscription of each whose owner is another node.
 *
 * A room is of interest from the start of its first join until its last member has left and no
 * join or leave of it is in flight: a leaving member still gets what the room ordered before its
 * leave, and a joiner's subscription exists before its join request is sent (`subscribe` is
 * called first), so nothing the owner publishes after its reply can miss this node.
 */
export class RoomInterest {
  readonly #rooms = new Map<string, Entry>();
  readonly #subscribe: (roomKey: string) => Subscription | null;
  readonly #released: (roomKey: string) => void;

  /**
   * `subscribe` opens a room's fan-out subscription (null when the connection refused);
   * `released` hears of a room that is of no interest any more.
   */
  constructor(
    subscribe: (roomKey: string) => Subscription | null,
    released: (roomKey: string) => void = () => {},
  ) {
    this.#subscribe = subscribe;
    this.#released = released;
  }

  /** Rooms of interest. */
  get size(): number {
    return this.#rooms.size;
  }

  /** Rooms with a fan-out subscription. */
  get subscriptions(): number {
    let n = 0;
    for (const entry of this.#rooms.values()) if (entry.sub !== null) n++;
    return n;
  }

  rooms(): string[] {
    return [...this.#rooms.keys()];
  }

  /** The rooms with a fan-out subscription. */
  subscribedRooms(): string[] {
    return [...this.#rooms].filter(([, entry]) => entry.sub !== null).map(([key]) => key);
  }

  has(roomKey: string): boolean {
    return this.#rooms.has(roomKey);
  }

  members(roomKey: string): number[] {
    return [...(this.#rooms.get(roomKey)?.members ?? [])];
  }

  /** How many local members the room has (joins in flight not counted). */
  memberCount(roomKey: string): number {
    return this.#rooms.get(roomKey)?.members.size ?? 0;
  }

  /** A join starts. */
  beginJoin(roomKey: string): void {
    this.#entry(roomKey).inflight += 1;
  }

  /** A leave starts: `connId` is no member from now, but the room stays until `end`. */
  beginLeave(roomKey: string, connId: number): void {
    const entry = this.#entry(roomKey);
    entry.members.delete(connId);
    entry.inflight += 1;
  }

  /** A join or leave settled; `member` is the connection that joined (null: no new member). */
  end(roomKey: string, member: number | null): void {
    const entry = this.#rooms.get(roomKey);
    if (entry === undefined) return;
    entry.inflight -= 1;
    if (member !== null) entry.members.add(member);
    this.#releaseIfIdle(roomKey, entry);
  }

  /** A member is gone at once (a disconnect: nobody waits for the leave's answer). */
  remove(roomKey: string, connId: number): void {
    const entry = this.#rooms.get(roomKey);
    if (entry === undefined) return;
    entry.members.delete(connId);
    this.#releaseIfIdle(roomKey, entry);
  }

  /** Opens the room's fan-out subscription if it is of interest and has none. */
  subscribe(roomKey: string): void {
    const entry = this.#rooms.get(roomKey);
    if (entry !== undefined && entry.sub === null) entry.sub = this.#subscribe(roomKey);
  }

  /** Closes the room's fan-out subscription (this node owns the room now). */
  unsubscribe(roomKey: string): void {
    const entry = this.#rooms.get(roomKey);
    if (entry === undefined) return;
    unsubscribe(entry.sub);
    entry.sub = null;
  }

  close(): void {
    for (const entry of this.#rooms.values()) unsubscribe(entry.sub);
    this.#rooms.clear();
  }

  #entry(roomKey: string): Entry {
    let entry = this.#rooms.get(roomKey);
    if (entry === undefined) {
      entry = { members: new Set(), inflight: 0, sub: null };
      this.#rooms.set(roomKey, entry);
    }
    return entry;
  }

  #releaseIfIdle(roomKey: string, entry: Entry): void {
    if (entry.members.size > 0 || entry.inflight > 0) return;
    unsubscribe(entry.sub);
    this.#rooms.delete(roomKey);
    this.#released(roomKey);
  }
}

function unsubscribe(sub: Subscription | null): void {
  try {
    sub?.unsubscribe();
  } catch {
    // the connection is closed already: the subscription went with it
  }
}

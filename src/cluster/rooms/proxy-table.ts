import type { MemberId } from '../wire/index.js';

/**
 * Proxy connection ids live in the upper half of the u32 connection-id space, so that in a room
 * actor (which knows members only by u32) they can never equal one of the owner's own edge
 * connections: the edge must allocate its ids below PROXY_ID_BASE.
 *
 *   0                 1 .. 0x7fff_ffff           0x8000_0000 .. 0xffff_ffff
 *   no connection     the node's own sockets     proxies of remote connections (this table)
 */
export const PROXY_ID_BASE = 0x8000_0000;
const PROXY_ID_LAST = 0xffff_ffff;

export function isProxyId(connId: number): boolean {
  return connId >= PROXY_ID_BASE;
}

/** A remote connection as its room's owner sees it. */
export interface RoomProxy {
  readonly id: number;
  readonly node: string;
  readonly incarnation: string;
  readonly conn: number;
}

interface Entry extends RoomProxy {
  readonly rooms: Set<string>;
  /** Requests in flight for it: the id is kept while one may still name it. */
  pending: number;
  /** Its node died or left: it answers no more lookups by origin and joins nothing new. */
  dropped: boolean;
}

/**
 * The owner's proxies: one u32 id per remote (node incarnation, connection), and which rooms each
 * is a member of here. Ids are handed out round the whole upper half before any is reused, so a
 * delivery still naming a proxy that was just freed finds nothing rather than someone else.
 */
export class ProxyTable {
  readonly #byId = new Map<number, Entry>();
  readonly #byOrigin = new Map<string, Entry>();
  readonly #byRoom = new Map<string, Set<number>>();
  #next = PROXY_ID_BASE;

  get size(): number {
    return this.#byId.size;
  }

  get(id: number): RoomProxy | undefined {
    return this.#byId.get(id);
  }

  find(member: MemberId, conn: number): RoomProxy | undefined {
    return this.#byOrigin.get(originKey(member, conn));
  }

  /** The proxies that are members of `roomKey` here. */
  inRoom(roomKey: string): ReadonlySet<number> | undefined {
    return this.#byRoom.get(roomKey);
  }

  /** Every room with at least one proxy member. */
  rooms(): string[] {
    return [...this.#byRoom.keys()];
  }

  /** A request of `(member, conn)` starts: its proxy (made now if new) is kept until `settle`. */
  hold(member: MemberId, conn: number): RoomProxy {
    const key = originKey(member, conn);
    let entry = this.#byOrigin.get(key);
    if (entry === undefined) {
      entry = {
        id: this.#allocate(),
        node: member.node,
        incarnation: member.incarnation,
        conn,
        rooms: new Set(),
        pending: 0,
        dropped: false,
      };
      this.#byId.set(entry.id, entry);
      this.#byOrigin.set(key, entry);
    }
    entry.pending += 1;
    return entry;
  }

  /**
   * A request of `proxy` settled: `joined` makes it a member of `roomKey`, `left` not. False when
   * it joined but was dropped meanwhile: the caller takes it out of the room again.
   */
  settle(proxy: RoomProxy, roomKey: string, change: 'joined' | 'left' | null): boolean {
    const entry = this.#byId.get(proxy.id);
    if (entry === undefined || entry !== proxy) return change !== 'joined';
    entry.pending -= 1;
    let kept = true;
    if (change === 'joined') {
      if (entry.dropped) kept = false;
      else this.#addRoom(entry, roomKey);
    } else if (change === 'left') {
      this.#removeRoom(entry, roomKey);
    }
    this.#freeIfIdle(entry);
    return kept;
  }

  /** Takes every proxy out of `roomKey` (the room moved away); returns their ids. */
  dropRoom(roomKey: string): number[] {
    const ids = [...(this.#byRoom.get(roomKey) ?? [])];
    for (const id of ids) {
      const entry = this.#byId.get(id);
      if (entry === undefined) continue;
      this.#removeRoom(entry, roomKey);
      this.#freeIfIdle(entry);
    }
    return ids;
  }

  /** Forgets every proxy of one life of a node; returns each with the rooms it was in. */
  dropMember(member: MemberId): { readonly id: number; readonly rooms: string[] }[] {
    const dropped: { id: number; rooms: string[] }[] = [];
    for (const entry of [...this.#byId.values()]) {
      if (entry.node !== member.node || entry.incarnation !== member.incarnation) continue;
      const rooms = [...entry.rooms];
      for (const roomKey of rooms) this.#removeRoom(entry, roomKey);
      entry.dropped = true;
      this.#byOrigin.delete(originKey(entry, entry.conn));
      this.#freeIfIdle(entry);
      dropped.push({ id: entry.id, rooms });
    }
    return dropped;
  }

  #addRoom(entry: Entry, roomKey: string): void {
    entry.rooms.add(roomKey);
    let ids = this.#byRoom.get(roomKey);
    if (ids === undefined) {
      ids = new Set();
      this.#byRoom.set(roomKey, ids);
    }
    ids.add(entry.id);
  }

  #removeRoom(entry: Entry, roomKey: string): void {
    entry.rooms.delete(roomKey);
    const ids = this.#byRoom.get(roomKey);
    if (ids === undefined) return;
    ids.delete(entry.id);
    if (ids.size === 0) this.#byRoom.delete(roomKey);
  }

  #freeIfIdle(entry: Entry): void {
    if (entry.rooms.size > 0 || entry.pending > 0) return;
    this.#byId.delete(entry.id);
    const key = originKey(entry, entry.conn);
    if (this.#byOrigin.get(key) === entry) this.#byOrigin.delete(key);
  }

  #allocate(): number {
    // Fewer than 2^31 proxies can be live, so a free id is always found.
    for (;;) {
      const id = this.#next;
      this.#next = id >= PROXY_ID_LAST ? PROXY_ID_BASE : id + 1;
      if (!this.#byId.has(id)) return id;
    }
  }
}

/** Node ids and incarnations may hold any character: the incarnation's length keeps them apart. */
function originKey(member: MemberId, conn: number): string {
  return `${conn}|${member.incarnation.length}|${member.incarnation}|${member.node}`;
}

import type { PresenceEntry } from './presence-entry.js';

/**
 * This replica's own entries by connection, then topic. Most connections are in one topic, and a
 * Map per connection would cost more than the entry itself, so a connection holds its entry
 * directly and gets a Map only while it is in several topics.
 */
export class LocalEntries {
  readonly #byConn = new Map<string, PresenceEntry | Map<string, PresenceEntry>>();

  get(conn: string, topic: string): PresenceEntry | undefined {
    const topics = this.#byConn.get(conn);
    if (topics instanceof Map) return topics.get(topic);
    return topics?.topic === topic ? topics : undefined;
  }

  /** Every entry of `conn` (a copy: the caller may remove while it iterates). */
  of(conn: string): PresenceEntry[] {
    const topics = this.#byConn.get(conn);
    if (topics === undefined) return [];
    return topics instanceof Map ? [...topics.values()] : [topics];
  }

  /** Records an entry of a topic the connection is not in yet (a rejoin removed the old one). */
  add(entry: PresenceEntry): void {
    const topics = this.#byConn.get(entry.conn);
    if (topics === undefined) this.#byConn.set(entry.conn, entry);
    else if (topics instanceof Map) topics.set(entry.topic, entry);
    else {
      this.#byConn.set(
        entry.conn,
        new Map([
          [topics.topic, topics],
          [entry.topic, entry],
        ]),
      );
    }
  }

  remove(entry: PresenceEntry): void {
    const topics = this.#byConn.get(entry.conn);
    if (topics instanceof Map) {
      topics.delete(entry.topic);
      const [only] = topics.values();
      if (topics.size === 1 && only !== undefined) this.#byConn.set(entry.conn, only);
    } else if (topics?.topic === entry.topic) {
      this.#byConn.delete(entry.conn);
    }
  }
}

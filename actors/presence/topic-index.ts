import type { PresenceEntry } from './presence-entry.js';

interface TopicEntries {
  /** key -> its entry, or a Set once the key has several (one per connection of that key). */
  readonly byKey: Map<string, PresenceEntry | Set<PresenceEntry>>;
  size: number;
}

/**
 * The visible entries, by topic then key: what `list` and the counts read. Most keys have one
 * connection in a topic, so a key holds its entry itself and a Set only from the second on.
 */
export class TopicIndex {
  readonly #topics = new Map<string, TopicEntries>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** False when the entry was there already. */
  add(entry: PresenceEntry): boolean {
    let topic = this.#topics.get(entry.topic);
    if (topic === undefined) {
      topic = { byKey: new Map(), size: 0 };
      this.#topics.set(entry.topic, topic);
    }
    const held = topic.byKey.get(entry.key);
    if (held === entry || (held instanceof Set && held.has(entry))) return false;
    if (held === undefined) topic.byKey.set(entry.key, entry);
    else if (held instanceof Set) held.add(entry);
    else topic.byKey.set(entry.key, new Set([held, entry]));
    topic.size++;
    this.#size++;
    return true;
  }

  /** False when the entry was not there. */
  delete(entry: PresenceEntry): boolean {
    const topic = this.#topics.get(entry.topic);
    const held = topic?.byKey.get(entry.key);
    if (topic === undefined || held === undefined) return false;
    if (held === entry) topic.byKey.delete(entry.key);
    else if (!(held instanceof Set) || !held.delete(entry)) return false;
    else if (held.size === 1) topic.byKey.set(entry.key, held.values().next().value!);
    if (--topic.size === 0) this.#topics.delete(entry.topic);
    this.#size--;
    return true;
  }

  /** The entries of `topic`, grouped by key. */
  entries(topic: string): PresenceEntry[] {
    const out: PresenceEntry[] = [];
    const entries = this.#topics.get(topic);
    if (entries === undefined) return out;
    for (const held of entries.byKey.values()) {
      if (held instanceof Set) out.push(...held);
      else out.push(held);
    }
    return out;
  }

  topics(): string[] {
    return [...this.#topics.keys()];
  }

  connectionCount(topic: string): number {
    return this.#topics.get(topic)?.size ?? 0;
  }

  keyCount(topic: string): number {
    return this.#topics.get(topic)?.byKey.size ?? 0;
  }
}

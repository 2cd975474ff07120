import type { PresenceEntry } from './presence-entry.js';

interface TopicEntries {
  readonly byKey: Map<string, Set<PresenceEntry>>;
  size: number;
}

/** The visible entries, by topic then key: what `list` and the counts read. */
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
    let set = topic.byKey.get(entry.key);
    if (set === undefined) {
      set = new Set();
      topic.byKey.set(entry.key, set);
    }
    if (set.has(entry)) return false;
    set.add(entry);
    topic.size++;
    this.#size++;
    return true;
  }

  /** False when the entry was not there. */
  delete(entry: PresenceEntry): boolean {
    const topic = this.#topics.get(entry.topic);
    const set = topic?.byKey.get(entry.key);
    if (topic === undefined || set === undefined || !set.delete(entry)) return false;
    if (set.size === 0) topic.byKey.delete(entry.key);
    if (--topic.size === 0) this.#topics.delete(entry.topic);
    this.#size--;
    return true;
  }

  /** The entries of `topic`, grouped by key. */
  entries(topic: string): PresenceEntry[] {
    const out: PresenceEntry[] = [];
    const entries = this.#topics.get(topic);
    if (entries !== undefined) for (const set of entries.byKey.values()) out.push(...set);
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

import type { PresenceEntry } from './presence-entry.js';
import { type Presences, presencesOf } from './presence-view.js';

/** What became visible and what stopped being visible in one topic. */
export interface TopicChanges {
  readonly joins: readonly PresenceEntry[];
  readonly leaves: readonly PresenceEntry[];
}

/** Changes by topic; topics with no change are absent. */
export type PresenceChanges = ReadonlyMap<string, TopicChanges>;

/** The body of a PROTOCOL `presence_diff` frame (the room adds `op` and `room`). */
export interface PresenceDiffBody {
  readonly joins: Presences;
  readonly leaves: Presences;
}

export function presenceDiffOf(changes: TopicChanges): PresenceDiffBody {
  return { joins: presencesOf(changes.joins), leaves: presencesOf(changes.leaves) };
}

/**
 * Accumulates the view changes of one operation. A caller never reports the same entry twice:
 * entries are immutable and named by their dot, so an entry shown and hidden by one operation
 * would be a bug, not a case to net out.
 */
export class ChangeCollector {
  readonly #byTopic = new Map<string, { joins: PresenceEntry[]; leaves: PresenceEntry[] }>();

  join(entry: PresenceEntry): void {
    this.#topic(entry.topic).joins.push(entry);
  }

  leave(entry: PresenceEntry): void {
    this.#topic(entry.topic).leaves.push(entry);
  }

  build(): PresenceChanges {
    return this.#byTopic;
  }

  #topic(topic: string): { joins: PresenceEntry[]; leaves: PresenceEntry[] } {
    let changes = this.#byTopic.get(topic);
    if (changes === undefined) {
      changes = { joins: [], leaves: [] };
      this.#byTopic.set(topic, changes);
    }
    return changes;
  }
}

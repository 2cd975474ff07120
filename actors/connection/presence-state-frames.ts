import { encodeBinaryFrame, encodeTextFrame, type FrameEncoding } from '../../proto/wire/index.js';
import type { PresenceTracker } from '../presence/index.js';
import { toWirePresences } from './wire-presences.js';

/** A `presence_state` frame ready for any number of sockets: JSON as UTF-8 bytes, or protobuf. */
export interface PresenceStateFrame {
  readonly bytes: Uint8Array;
  readonly binary: boolean;
}

/** What one room's state was built as; the room name follows from the key (tenant + room). */
interface Built {
  readonly generation: number;
  json: PresenceStateFrame | null;
  binary: PresenceStateFrame | null;
}

/**
 * Builds a room's `presence_state` once and hands the same bytes to every joiner that takes it
 * while the room's presence is unchanged. Joiners of one coalescing window all take their state
 * right after the window's diff (PresenceCoalescer.afterPending), so a burst of N joins builds
 * one state per window instead of one per joiner: with 10,000 members that is the difference
 * between ~100 states and 10,000 of up to a megabyte each. The bytes are kept until the current
 * task ends, not longer: the next window has changed the room anyway, and a node of many rooms
 * should not hold a copy of every room's state.
 */
export class PresenceStateFrames {
  readonly #presence: PresenceTracker;
  readonly #built = new Map<string, Built>();
  #clearScheduled = false;

  constructor(presence: PresenceTracker) {
    this.#presence = presence;
  }

  /** The `presence_state` of `roomKey` (named `room` to clients) in `encoding`. */
  frame(roomKey: string, room: string, encoding: FrameEncoding): PresenceStateFrame {
    const generation = this.#presence.generation(roomKey);
    let built = this.#built.get(roomKey);
    if (built === undefined || built.generation !== generation) {
      built = { generation, json: null, binary: null };
      this.#built.set(roomKey, built);
      this.#scheduleClear();
    }
    if (encoding === 'json') {
      built.json ??= {
        bytes: Buffer.from(encodeTextFrame(this.#state(roomKey, room))),
        binary: false,
      };
      return built.json;
    }
    built.binary ??= { bytes: encodeBinaryFrame(this.#state(roomKey, room)), binary: true };
    return built.binary;
  }

  #state(roomKey: string, room: string) {
    return {
      op: 'presence_state',
      room,
      presences: toWirePresences(this.#presence.list(roomKey)),
    } as const;
  }

  #scheduleClear(): void {
    if (this.#clearScheduled) return;
    this.#clearScheduled = true;
    setImmediate(() => {
      this.#clearScheduled = false;
      this.#built.clear();
    });
  }
}

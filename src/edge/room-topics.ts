import { roomOfKey, topicOf } from '../../actors/index.js';

/** Rooms whose names are kept; past it the cache starts over (bounded, no LRU bookkeeping). */
export const ROOM_TOPICS_CAPACITY = 4096;

/** What the edge needs to fan one room's message out: built once per room, not per delivery. */
export interface RoomTopicSet {
  /** The room's name as clients know it (the key without its tenant). */
  readonly room: string;
  /** The uWS topics of the room's `message` frames: JSON members, protobuf members. */
  readonly messageJson: string;
  readonly messageBinary: string;
}

/**
 * The room name and topic strings of each room key, kept between deliveries: otherwise every
 * delivery slices the name out of the key and builds two topic strings that uWS then flattens.
 */
export class RoomTopics {
  readonly #sets = new Map<string, RoomTopicSet>();

  of(roomKey: string): RoomTopicSet {
    let set = this.#sets.get(roomKey);
    if (set === undefined) {
      if (this.#sets.size >= ROOM_TOPICS_CAPACITY) this.#sets.clear();
      set = {
        room: roomOfKey(roomKey),
        messageJson: topicOf('m', 'j', roomKey),
        messageBinary: topicOf('m', 'b', roomKey),
      };
      this.#sets.set(roomKey, set);
    }
    return set;
  }
}

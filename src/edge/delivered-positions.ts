import type { ResumeFrom } from '../../actors/index.js';

interface Position {
  epoch: string;
  offset: number;
}

/**
 * The last message of each room that this edge fanned out to its local members. When a room's
 * shard or owner restarts, the node re-joins those members itself (`restore`), and a durable room
 * that was writing when it died may have stored a message nobody got: the restore join asks from
 * this position, so the room replays it. A room with no local subscriber at a delivery is
 * forgotten, so the map holds rooms this node serves, not every room it ever saw.
 */
export class DeliveredPositions {
  readonly #positions = new Map<string, Position>();

  /** One fan-out of `offset` in `epoch` reached `recipients` local members. */
  delivered(roomKey: string, epoch: string, offset: number, recipients: number): void {
    if (recipients === 0) {
      this.#positions.delete(roomKey);
      return;
    }
    const position = this.#positions.get(roomKey);
    if (position === undefined) this.#positions.set(roomKey, { epoch, offset });
    else {
      position.epoch = epoch;
      position.offset = offset;
    }
  }

  /** Where the room's members are, as a resume point; null when nothing was delivered here. */
  of(roomKey: string): ResumeFrom | null {
    const position = this.#positions.get(roomKey);
    return position === undefined ? null : { epoch: position.epoch, offset: position.offset };
  }

  get size(): number {
    return this.#positions.size;
  }
}

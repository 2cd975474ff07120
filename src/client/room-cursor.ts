import type { ResumePoint, TimePoint } from './client-frame.js';

/** How a join reply places a room: its epoch and offset, and what the join asked to resume. */
export interface JoinPlacement {
  readonly epoch: string;
  readonly offset: number;
  readonly since: ResumePoint | TimePoint | undefined;
  readonly recovered: boolean | undefined;
}

/**
 * Where one joined room stands for this client, set afresh by every join reply (so a new epoch
 * resets it). It holds two offsets of the reply's epoch:
 * - the resume point: the last message seen, else where the join started; a re-join asks `since`
 *   it (or, after a join from a time that has seen no message yet, that time again);
 * - the delivered mark: the last offset handed to the application. Message frames carry no epoch:
 *   they belong to the epoch of the join before them, and one at or below the mark is a duplicate
 *   (a replay overlapping live delivery, or a durable room delivering again a message whose write
 *   it thought had failed), dropped before the application sees it twice.
 */
export class RoomCursor {
  readonly epoch: string;
  #resume: number;
  #delivered: number;
  #fromTs: number | null;

  constructor(placement: JoinPlacement) {
    this.epoch = placement.epoch;
    const { since, recovered } = placement;
    let start = placement.offset;
    let fromTs: number | null = null;
    if (since !== undefined && recovered === true) {
      // The replay follows the reply: it starts after `since` (an offset), or anywhere (a time).
      if ('ts' in since) {
        start = 0;
        fromTs = since.ts;
      } else start = since.offset;
    }
    this.#resume = start;
    this.#delivered = start;
    this.#fromTs = fromTs;
  }

  /** Records a delivered message; false when it is a duplicate, to be dropped. */
  accept(offset: number): boolean {
    if (offset <= this.#delivered) return false;
    this.#delivered = offset;
    this.#resume = offset;
    this.#fromTs = null;
    return true;
  }

  /**
   * A publish of ours without echo: its delivery never comes, so resume past it, but only when it
   * is the next offset, so that a message of someone else is never skipped on resume.
   */
  skipOwn(offset: number): void {
    if (this.#fromTs === null && offset === this.#resume + 1) this.#resume = offset;
  }

  /** What a re-join asks `since`. */
  resumePoint(): ResumePoint | TimePoint {
    return this.#fromTs === null
      ? { epoch: this.epoch, offset: this.#resume }
      : { ts: this.#fromTs };
  }
}

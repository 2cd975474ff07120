/**
 * Counts the edge's uWS topic publishes, so that a socket can tell whether uWS may still hold topic
 * messages for it that it has not written yet.
 *
 * uWS buffers a topic publish per subscriber and writes it when the loop iteration ends or when that
 * socket next sends a frame of its own. An unsubscribe in between drops what is buffered for the
 * topic (uWS.js 20.30), so a member leaving in the same turn as a delivery the room ordered before
 * the leave would miss it. A socket that has sent since the last publish has nothing buffered.
 */
export class PublishClock {
  #count = 0;

  /** Called once per topic publish (any topic). */
  tick(): void {
    this.#count++;
  }

  get now(): number {
    return this.#count;
  }
}

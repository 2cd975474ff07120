import {
  type FrameEncoding,
  type HistoryFrame,
  historyBodyText,
  historyReplyText,
  toWireError,
  WireError,
} from '../../proto/wire/index.js';
import { TokenBucket } from '../limits/index.js';
import type { ConnectionHost } from './connection-host.js';
import type { ConnectionOutput } from './connection-output.js';
import { authorizedRoomKey, type ConnectionPrincipal } from './connection-principal.js';
import { messageDeliveryOf } from './message-delivery.js';
import { EMPTY_META } from './room-memberships.js';

/**
 * One connection's `history` reads, under a rate budget of their own: a page costs the room's
 * owner a read of up to 768 KiB, apart from publishes. Made on the connection's first read.
 */
export class HistoryReader {
  readonly #host: ConnectionHost;
  readonly #output: ConnectionOutput;
  /** Made on the first read that asks for a page (a new bucket is full, as an early one would be). */
  #bucket: TokenBucket | null = null;

  constructor(host: ConnectionHost, output: ConnectionOutput) {
    this.#host = host;
    this.#output = output;
  }

  /**
   * Reads a room's kept messages: allowed to whoever may join the room (the token's rooms, then
   * on_join policies with an empty meta), member or not. Not ordered with this connection's
   * joins and publishes in flight: a page shows what the room had stored when it got the request.
   * Throws the wire error of a read refused here; later failures are answered in `encoding`.
   */
  read(
    frame: HistoryFrame,
    principal: ConnectionPrincipal,
    encoding: FrameEncoding,
    nowMs: number,
  ): void {
    const roomKey = authorizedRoomKey(principal, frame.room, true);
    const ref = frame.ref;
    // Without a ref there is nobody to hand the page to: reading it would be wasted work.
    if (ref === undefined) return;
    const limits = this.#host.limits;
    this.#bucket ??= new TokenBucket(limits.historyRate, limits.historyBurst, nowMs);
    if (!this.#bucket.tryTake(nowMs))
      throw new WireError('rate_limited', 'connection history rate exceeded');
    const read = (): void =>
      this.#host.rooms.history(
        roomKey,
        { since: frame.since ?? null, before: frame.before ?? null, limit: frame.limit },
        (error, answer) => {
          if (this.#output.detached) return;
          if (error !== null || answer === null)
            return this.#output.reject(ref, toWireError(error), encoding);
          const { epoch, entries } = answer;
          const messages = entries.map((e) =>
            messageDeliveryOf(frame.room, epoch, e.offset, e.ts, e.payload),
          );
          this.#output.sendText(historyReplyText(ref, historyBodyText(answer, messages)));
        },
      );
    const { tenant, sub } = principal;
    if (!this.#host.policy.guards('on_join', tenant)) return read();
    this.#host.policy.checkJoin(tenant, sub, frame.room, EMPTY_META, (denial) => {
      if (this.#output.detached) return;
      if (denial === null) read();
      else this.#output.deny(ref, denial.reason, denial.disconnect, encoding);
    });
  }
}

import type { ConnectionSocket } from '../../actors/index.js';
import type { WebSocket } from '../uws/index.js';
import type { PublishClock } from './publish-clock.js';

/**
 * ConnectionSocket over a uWS WebSocket. uWS throws on any use of a closed socket, and a late
 * answer (a refresh, a join reply) may come after the close: the adapter turns those into no-ops.
 */
export class UwsSocket<U> implements ConnectionSocket {
  readonly #ws: WebSocket<U>;
  readonly #clock: PublishClock;
  /** The clock when this socket last sent: uWS writes a socket's buffered topic messages first. */
  #sentAt = -1;
  #closed = false;

  constructor(ws: WebSocket<U>, clock: PublishClock) {
    this.#ws = ws;
    this.#clock = clock;
  }

  get ws(): WebSocket<U> {
    return this.#ws;
  }

  markClosed(): void {
    this.#closed = true;
  }

  send(frame: string | Uint8Array): void {
    if (this.#closed) return;
    this.#ws.send(frame, typeof frame !== 'string');
    this.#sentAt = this.#clock.now;
  }

  sendBytes(bytes: Uint8Array, binary: boolean): void {
    if (this.#closed) return;
    this.#ws.send(bytes, binary);
    this.#sentAt = this.#clock.now;
  }

  end(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ws.end(code, reason);
  }

  subscribe(topic: string): void {
    if (!this.#closed) this.#ws.subscribe(topic);
  }

  /**
   * uWS drops the topic's messages it holds for this socket on unsubscribe, and only a send makes it
   * write them. When a publish may be held, a ping (which every client answers, and uWS sends on its
   * own as heartbeat) writes them first.
   */
  unsubscribe(topic: string): void {
    if (this.#closed) return;
    if (this.#sentAt !== this.#clock.now) {
      this.#ws.ping();
      this.#sentAt = this.#clock.now;
    }
    this.#ws.unsubscribe(topic);
  }

  bufferedAmount(): number {
    return this.#closed ? 0 : this.#ws.getBufferedAmount();
  }
}

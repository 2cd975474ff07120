import type { WebSocket } from 'uWebSockets.js';
import type { ConnectionSocket } from '../../actors/index.js';

/**
 * ConnectionSocket over a uWS WebSocket. uWS throws on any use of a closed socket, and a late
 * answer (a refresh, a join reply) may come after the close: the adapter turns those into no-ops.
 */
export class UwsSocket<U> implements ConnectionSocket {
  readonly #ws: WebSocket<U>;
  #closed = false;

  constructor(ws: WebSocket<U>) {
    this.#ws = ws;
  }

  get ws(): WebSocket<U> {
    return this.#ws;
  }

  markClosed(): void {
    this.#closed = true;
  }

  send(frame: string | Uint8Array): void {
    if (!this.#closed) this.#ws.send(frame, typeof frame !== 'string');
  }

  end(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ws.end(code, reason);
  }

  subscribe(topic: string): void {
    if (!this.#closed) this.#ws.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (!this.#closed) this.#ws.unsubscribe(topic);
  }

  bufferedAmount(): number {
    return this.#closed ? 0 : this.#ws.getBufferedAmount();
  }
}

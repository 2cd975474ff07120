import { ArqonClientError } from './errors.js';
import { parseServerFrame } from './parse-server-frame.js';
import type { ServerFrame, Welcome } from './server-frame.js';
import { WEBSOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket-like.js';

export interface SessionHandlers {
  welcome(welcome: Welcome): void;
  /** Every frame after the welcome. */
  frame(frame: ServerFrame): void;
  /** A frame this client cannot read; the connection stays up. */
  badFrame(error: ArqonClientError): void;
  /** The socket closed (once; not after `close()`). */
  closed(code: number, reason: string): void;
}

// Handlers are replaced by this rather than set to null: `ws` turns an `error` event without a
// listener into an uncaught exception, and a socket closed while connecting emits one.
const ignore = (): void => {};

/** `url` with the token as its `token` query parameter (browsers cannot set upgrade headers). */
export function urlWithToken(url: string, token: string): string {
  const withToken = new URL(url);
  withToken.searchParams.set('token', token);
  return withToken.toString();
}

/** One WebSocket connection attempt and, once welcomed, its life. */
export class SocketSession {
  readonly #url: string;
  readonly #socket: WebSocketLike;
  readonly #handlers: SessionHandlers;
  #welcomed = false;
  #lastReceivedMs = Date.now();

  /** Throws what the WebSocket constructor throws (e.g. a URL it refuses). */
  constructor(
    WebSocket: WebSocketConstructor,
    url: string,
    token: string,
    handlers: SessionHandlers,
  ) {
    this.#url = url;
    this.#handlers = handlers;
    this.#socket = new WebSocket(urlWithToken(url, token));
    this.#socket.onopen = ignore;
    this.#socket.onerror = ignore; // a close event always follows
    this.#socket.onmessage = (event) => this.#received(event.data);
    this.#socket.onclose = (event) => {
      this.#detach();
      this.#handlers.closed(event.code, event.reason);
    };
  }

  /** The URL without the token. */
  get url(): string {
    return this.#url;
  }

  get welcomed(): boolean {
    return this.#welcomed;
  }

  /** When the last frame arrived (ms since the Unix epoch). */
  get lastReceivedMs(): number {
    return this.#lastReceivedMs;
  }

  /** False when the socket is not open (the frame is dropped; a close event is on its way). */
  send(text: string): boolean {
    if (this.#socket.readyState !== WEBSOCKET_OPEN) return false;
    this.#socket.send(text);
    return true;
  }

  /** Closes without waiting for the close handshake; `closed` is not called. */
  close(code: number, reason: string): void {
    this.#detach();
    try {
      this.#socket.close(code, reason);
    } catch {
      // Closing a socket that is still connecting may throw in some implementations; it is
      // abandoned either way.
    }
  }

  #detach(): void {
    this.#socket.onopen = ignore;
    this.#socket.onmessage = ignore;
    this.#socket.onclose = ignore;
    this.#socket.onerror = ignore;
  }

  #received(data: unknown): void {
    this.#lastReceivedMs = Date.now();
    // This client only sends text frames, so the server only answers in text.
    if (typeof data !== 'string') return;
    let frame: ServerFrame | null;
    try {
      frame = parseServerFrame(data);
    } catch (err) {
      this.#handlers.badFrame(err as ArqonClientError);
      return;
    }
    if (frame === null) return;
    if (this.#welcomed) {
      this.#handlers.frame(frame);
    } else if (frame.op === 'welcome') {
      this.#welcomed = true;
      this.#handlers.welcome(frame.welcome);
    } else {
      this.#handlers.badFrame(
        new ArqonClientError('ARQ_CLIENT_BAD_FRAME', `expected welcome first, got ${frame.op}`),
      );
    }
  }
}

/**
 * The part of the WHATWG WebSocket that the client uses, so that the browser's `WebSocket`, Node
 * 22's global one and the `ws` package's class all fit without importing any of them.
 */

/** `readyState` of an open socket (the same constant in every implementation). */
export const WEBSOCKET_OPEN = 1;

/**
 * A handler property. Written as a method type so that parameters compare bivariantly: `ws` types
 * its events more narrowly than the fields read here, and the client only ever assigns handlers.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'] | null;

export interface SocketCloseEvent {
  readonly code: number;
  readonly reason: string;
}

export interface SocketMessageEvent {
  readonly data: unknown;
}

export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown>;
  onmessage: Handler<SocketMessageEvent>;
  onclose: Handler<SocketCloseEvent>;
  onerror: Handler<unknown>;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

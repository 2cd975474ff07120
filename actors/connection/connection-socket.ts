/** What a connection needs from its socket; the edge adapts a uWS WebSocket to it. */
export interface ConnectionSocket {
  /** Sends one frame: text for a string, binary for bytes. */
  send(frame: string | Uint8Array): void;
  /** Sends bytes as a text frame (UTF-8 JSON built once for many sockets) or a binary one. */
  sendBytes(bytes: Uint8Array, binary: boolean): void;
  /** Closes with a close frame after what is buffered. */
  end(code: number, reason: string): void;
  subscribe(topic: string): void;
  /** Stops the topic's messages: those published to it before the call are still delivered. */
  unsubscribe(topic: string): void;
  /** Bytes written but not yet taken by the kernel (the client is not reading). */
  bufferedAmount(): number;
}

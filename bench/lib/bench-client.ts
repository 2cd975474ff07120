/**
 * One client connection of a load generator, whatever the server speaks: the ArqonBus JSON protocol
 * over a WebSocket (RawWsSocket; also spoken by the bare uWS peer) or Socket.IO. Publishes carry
 * `data: {"t": <ns>, "s": <seq>}`: the publisher's `process.hrtime` (CLOCK_MONOTONIC, one clock for
 * every process of the machine), so any generator process can compute publish-to-delivery latency,
 * and the publisher's sequence number in the room, so each member can count what it missed or got
 * twice whatever the server numbers (the peers number nothing).
 */
export type ClientProtocol = 'json-ws' | 'socketio';

export interface BenchClientHandlers {
  /** A room message arrived; `sentNs` is the publisher's send time, `seq` its number (-1: none). */
  readonly onDelivery: (sentNs: number, seq: number) => void;
  /** An error frame or error reply not tied to a pending join. */
  readonly onError: (code: string) => void;
  /** The connection closed (after `connect` resolved). */
  readonly onClose: (reason: string) => void;
}

export interface BenchClientOptions {
  readonly protocol: ClientProtocol;
  /** `ws://host:port` (the client adds the path). */
  readonly url: string;
  /** ArqonBus token, or null for servers that do not authenticate. */
  readonly token: string | null;
  readonly sub: string;
  /** Source address of the TCP connection (spreads sockets over 127.0.0.x). */
  readonly localAddress: string | null;
  readonly timeoutMs: number;
  readonly handlers: BenchClientHandlers;
}

export interface BenchClient {
  /** Resolves when the server confirmed the join. */
  join(room: string): Promise<void>;
  /**
   * Fire and forget: no reply is asked for, errors come back through `onError`. `textJson`, a JSON
   * string literal or null, becomes `data.text` (a message body for policies to read).
   */
  publish(room: string, sentNs: number, seq: number, textJson: string | null): void;
  close(): void;
}

/** Now on the clock that publish stamps use. */
export function monotonicNs(): number {
  return Number(process.hrtime.bigint());
}

/**
 * One client connection of a load generator, whatever the server speaks: the ArqonBus JSON protocol
 * over a WebSocket (RawWsSocket; also spoken by the bare uWS peer) or Socket.IO. Publishes carry
 * `data: {"t": <ns>}`, the publisher's `process.hrtime` (CLOCK_MONOTONIC, one clock for every
 * process of the machine), so any generator process can compute publish-to-delivery latency.
 */
export type ClientProtocol = 'json-ws' | 'socketio';

export interface BenchClientHandlers {
  /** A room message arrived; `sentNs` is the publisher's send time. */
  readonly onDelivery: (sentNs: number) => void;
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
  /** Fire and forget: no reply is asked for, errors come back through `onError`. */
  publish(room: string, sentNs: number): void;
  close(): void;
}

/** Now on the clock that publish stamps use. */
export function monotonicNs(): number {
  return Number(process.hrtime.bigint());
}

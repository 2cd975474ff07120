import { BenchError } from './bench-error.js';
import { RawWsSocket } from './raw-ws-socket.js';

/** A JSON control frame of the ArqonBus protocol, as far as the bench clients read them. */
export interface ControlFrame {
  readonly op?: string;
  readonly ref?: string;
  readonly status?: string;
  readonly error?: { readonly code?: string };
  readonly joins?: Readonly<Record<string, unknown>>;
}

export interface ArqWsConnectionOptions {
  /** `ws://host:port` (the path is added). */
  readonly url: string;
  /** The upgrade's query string: `token=...` or, for peers that do not authenticate, `sub=...`. */
  readonly query: string;
  readonly timeoutMs: number;
  /** Source address of the TCP connection (spreads sockets over 127.0.0.x), or null. */
  readonly localAddress: string | null;
  /**
   * Sees every frame first, as the raw bytes `data[start, end)` (valid only during the call):
   * returns true when it took the frame (a room message, found by a byte run rather than parsed:
   * tens of thousands arrive per second).
   */
  readonly onRaw: (data: Buffer, start: number, end: number) => boolean;
  /** A parsed control frame that is neither the welcome nor the reply to a pending join. */
  readonly onControl: (frame: ControlFrame) => void;
  readonly onError: (code: string) => void;
  /** The connection closed after its welcome. */
  readonly onClose: (code: number) => void;
}

interface PendingJoin {
  readonly resolve: () => void;
  readonly reject: (error: BenchError) => void;
}

/**
 * The ArqonBus JSON protocol over one WebSocket (RawWsSocket), reduced to what the load generators
 * need: connect and wait for the welcome, join with a ref and wait for its reply, send text. Shared
 * by the fan-out and connections benches' client (JsonWsClient) and the cluster bench's
 * (ClusterClient).
 */
export class ArqWsConnection {
  readonly #options: ArqWsConnectionOptions;
  readonly #pending = new Map<string, PendingJoin>();
  #socket: RawWsSocket | null = null;
  #nextRef = 1;
  #welcomed: (() => void) | null = null;

  private constructor(options: ArqWsConnectionOptions) {
    this.#options = options;
  }

  static connect(options: ArqWsConnectionOptions): Promise<ArqWsConnection> {
    const connection = new ArqWsConnection(options);
    return new Promise((resolve, reject) => {
      let open = false;
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        connection.close();
        reject(new BenchError('ARQ_ERR_BENCH_TIMEOUT', 'no welcome frame in time'));
      }, options.timeoutMs);
      connection.#welcomed = () => {
        clearTimeout(timer);
        open = true;
        settled = true;
        resolve(connection);
      };
      RawWsSocket.connect({
        url: `${options.url}/ws?${options.query}`,
        timeoutMs: options.timeoutMs,
        localAddress: options.localAddress,
        onMessage: (_opcode, data, start, end) => connection.#received(data, start, end),
        onFault: (fault) => options.onError(fault),
        onClose: (code) => {
          for (const pending of connection.#pending.values())
            pending.reject(new BenchError('ARQ_ERR_BENCH_CLIENT', `closed with ${code}`));
          connection.#pending.clear();
          if (open) options.onClose(code);
          else if (!settled) {
            settled = true;
            clearTimeout(timer);
            reject(new BenchError('ARQ_ERR_BENCH_CLIENT', `closed with ${code} before welcome`));
          }
        },
      }).then(
        (socket) => {
          connection.#socket = socket;
          if (settled) socket.terminate();
          else socket.start();
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Sends the join and resolves when the server confirms it. */
  join(room: string): Promise<void> {
    const ref = `j${this.#nextRef++}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(ref, { resolve, reject });
      this.send(JSON.stringify({ op: 'join', room, ref }));
    });
  }

  send(text: string): void {
    this.#socket?.sendText(text);
  }

  close(): void {
    this.#socket?.terminate();
  }

  #received(data: Buffer, start: number, end: number): void {
    if (this.#options.onRaw(data, start, end)) return;
    let frame: ControlFrame;
    try {
      frame = JSON.parse(data.toString('utf8', start, end)) as ControlFrame;
    } catch {
      this.#options.onError('unparsable_frame');
      return;
    }
    if (frame.op === 'welcome') {
      this.#welcomed?.();
      this.#welcomed = null;
      return;
    }
    const pending = frame.op === 'reply' ? this.#pending.get(frame.ref ?? '') : undefined;
    if (pending !== undefined) {
      this.#pending.delete(frame.ref!);
      if (frame.status === 'ok') pending.resolve();
      else
        pending.reject(
          new BenchError('ARQ_ERR_BENCH_CLIENT', `join refused: ${frame.error?.code ?? '?'}`),
        );
      return;
    }
    if (frame.op === 'error' || frame.status === 'error') {
      this.#options.onError(frame.error?.code ?? 'unknown');
      return;
    }
    this.#options.onControl(frame);
  }
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Reads the decimal digits at `at` (a publish stamp); -1 when there are none. */
export function readStampDigits(buf: Buffer, at: number): number {
  let n = 0;
  let i = at;
  for (; i < buf.length; i++) {
    const b = buf[i]!;
    if (b < DIGIT_0 || b > DIGIT_9) break;
    n = n * 10 + (b - DIGIT_0);
  }
  return i === at ? -1 : n;
}

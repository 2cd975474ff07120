import WebSocket from 'ws';
import type { BenchClient, BenchClientOptions } from './bench-client.js';
import { BenchError } from './bench-error.js';

/** Room messages from ArqonBus and the bare uWS peer both hold this byte run; nothing else does. */
const DATA_MARK = Buffer.from('"data":{"t":');
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

interface ControlFrame {
  readonly op?: string;
  readonly ref?: string;
  readonly status?: string;
  readonly error?: { readonly code?: string };
}

interface PendingJoin {
  readonly resolve: () => void;
  readonly reject: (error: BenchError) => void;
}

function readUint(buf: Buffer, at: number): number {
  let n = 0;
  for (let i = at; i < buf.length; i++) {
    const b = buf[i]!;
    if (b < DIGIT_0 || b > DIGIT_9) break;
    n = n * 10 + (b - DIGIT_0);
  }
  return n;
}

/** The ArqonBus JSON protocol over a `ws` socket, lean enough for tens of thousands per process. */
export class JsonWsClient implements BenchClient {
  readonly #ws: WebSocket;
  readonly #options: BenchClientOptions;
  readonly #pending = new Map<string, PendingJoin>();
  #nextRef = 1;
  #welcomed: (() => void) | null = null;

  private constructor(ws: WebSocket, options: BenchClientOptions) {
    this.#ws = ws;
    this.#options = options;
  }

  static connect(options: BenchClientOptions): Promise<JsonWsClient> {
    const query =
      options.token === null
        ? `sub=${encodeURIComponent(options.sub)}`
        : `token=${encodeURIComponent(options.token)}`;
    const ws = new WebSocket(`${options.url}/ws?${query}`, {
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs,
      ...(options.localAddress === null ? {} : { localAddress: options.localAddress }),
    });
    const client = new JsonWsClient(ws, options);
    return new Promise((resolve, reject) => {
      let open = false;
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new BenchError('ARQ_ERR_BENCH_TIMEOUT', 'no welcome frame in time'));
      }, options.timeoutMs);
      client.#welcomed = () => {
        clearTimeout(timer);
        open = true;
        resolve(client);
      };
      ws.on('message', (data) => client.#received(data as Buffer));
      ws.on('error', (cause) => {
        if (open) return;
        clearTimeout(timer);
        reject(
          new BenchError('ARQ_ERR_BENCH_CLIENT', `connect failed: ${cause.message}`, { cause }),
        );
      });
      ws.on('close', (code) => {
        for (const pending of client.#pending.values())
          pending.reject(new BenchError('ARQ_ERR_BENCH_CLIENT', `closed with ${code}`));
        client.#pending.clear();
        if (open) options.handlers.onClose(String(code));
        else {
          clearTimeout(timer);
          reject(new BenchError('ARQ_ERR_BENCH_CLIENT', `closed with ${code} before welcome`));
        }
      });
    });
  }

  join(room: string): Promise<void> {
    const ref = `j${this.#nextRef++}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(ref, { resolve, reject });
      this.#ws.send(JSON.stringify({ op: 'join', room, ref }));
    });
  }

  publish(room: string, sentNs: number): void {
    this.#ws.send(`{"op":"publish","room":${JSON.stringify(room)},"data":{"t":${sentNs}}}`);
  }

  close(): void {
    this.#ws.terminate();
  }

  #received(data: Buffer): void {
    const at = data.indexOf(DATA_MARK);
    if (at !== -1) {
      this.#options.handlers.onDelivery(readUint(data, at + DATA_MARK.length));
      return;
    }
    let frame: ControlFrame;
    try {
      frame = JSON.parse(data.toString('utf8')) as ControlFrame;
    } catch {
      this.#options.handlers.onError('unparsable_frame');
      return;
    }
    if (frame.op === 'welcome') {
      this.#welcomed?.();
      this.#welcomed = null;
    } else if (frame.op === 'reply' && frame.ref !== undefined && this.#pending.has(frame.ref)) {
      const pending = this.#pending.get(frame.ref)!;
      this.#pending.delete(frame.ref);
      if (frame.status === 'ok') pending.resolve();
      else
        pending.reject(
          new BenchError('ARQ_ERR_BENCH_CLIENT', `join refused: ${frame.error?.code ?? '?'}`),
        );
    } else if (frame.op === 'error' || frame.status === 'error') {
      this.#options.handlers.onError(frame.error?.code ?? 'unknown');
    }
  }
}

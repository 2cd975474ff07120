import WebSocket from 'ws';
import { BenchError } from '../lib/index.js';

/**
 * Room messages of this bench carry `data: {"t": <sender's hrtime ns>, "n": <sender's node>}`; the
 * byte runs below find both without parsing the frame (tens of thousands of frames per second).
 */
const TIME_MARK = Buffer.from('"data":{"t":');
const NODE_MARK = Buffer.from('"n":');
/** The node field must start within this many bytes of the time stamp (20 digits, a comma, spaces). */
const NODE_SEARCH_BYTES = 28;
const PRESENCE_DIFF_MARK = Buffer.from('"op":"presence_diff"');
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export interface ClusterClientHandlers {
  /** A room message: the publisher's send time and node. */
  readonly onDelivery: (sentNs: number, fromNode: number) => void;
  /** Only for a watcher: a presence_diff listed `sub` among its joins. */
  readonly onPresenceJoin: (sub: string) => void;
  readonly onError: (code: string) => void;
  /** The connection closed after its welcome. */
  readonly onClose: (code: number) => void;
}

export interface ClusterClientOptions {
  /** `ws://host:port` of one node (the client adds the path). */
  readonly url: string;
  readonly token: string;
  readonly timeoutMs: number;
  /** Parse presence_diff frames (the others skip them unparsed). */
  readonly watchPresence: boolean;
  readonly handlers: ClusterClientHandlers;
}

interface ControlFrame {
  readonly op?: string;
  readonly ref?: string;
  readonly status?: string;
  readonly error?: { readonly code?: string };
  readonly joins?: Readonly<Record<string, unknown>>;
}

interface PendingJoin {
  readonly resolve: () => void;
  readonly reject: (error: BenchError) => void;
}

/** Reads the decimal digits at `at`; -1 when there are none. */
function readUint(buf: Buffer, at: number): number {
  let n = 0;
  let i = at;
  for (; i < buf.length; i++) {
    const b = buf[i]!;
    if (b < DIGIT_0 || b > DIGIT_9) break;
    n = n * 10 + (b - DIGIT_0);
  }
  return i === at ? -1 : n;
}

/** The ArqonBus JSON protocol over `ws`, reduced to what the cluster bench needs. */
export class ClusterClient {
  readonly #ws: WebSocket;
  readonly #options: ClusterClientOptions;
  readonly #pending = new Map<string, PendingJoin>();
  #nextRef = 1;
  #welcomed: (() => void) | null = null;

  private constructor(ws: WebSocket, options: ClusterClientOptions) {
    this.#ws = ws;
    this.#options = options;
  }

  static connect(options: ClusterClientOptions): Promise<ClusterClient> {
    const ws = new WebSocket(`${options.url}/ws?token=${encodeURIComponent(options.token)}`, {
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs,
    });
    const client = new ClusterClient(ws, options);
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
        if (open) options.handlers.onClose(code);
        else {
          clearTimeout(timer);
          reject(new BenchError('ARQ_ERR_BENCH_CLIENT', `closed with ${code} before welcome`));
        }
      });
    });
  }

  /** Sends the join and resolves when the node confirms it. */
  join(room: string): Promise<void> {
    const ref = `j${this.#nextRef++}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(ref, { resolve, reject });
      this.#ws.send(JSON.stringify({ op: 'join', room, ref }));
    });
  }

  /** Fire and forget (no `ref`, so no reply frame). */
  publish(room: string, sentNs: number, node: number): void {
    this.#ws.send(
      `{"op":"publish","room":${JSON.stringify(room)},"data":{"t":${sentNs},"n":${node}}}`,
    );
  }

  close(): void {
    this.#ws.terminate();
  }

  #received(data: Buffer): void {
    const at = data.indexOf(TIME_MARK);
    if (at !== -1) {
      this.#delivered(data, at + TIME_MARK.length);
      return;
    }
    if (!this.#options.watchPresence && data.indexOf(PRESENCE_DIFF_MARK) !== -1) return;
    let frame: ControlFrame;
    try {
      frame = JSON.parse(data.toString('utf8')) as ControlFrame;
    } catch {
      this.#options.handlers.onError('unparsable_frame');
      return;
    }
    switch (frame.op) {
      case 'welcome':
        this.#welcomed?.();
        this.#welcomed = null;
        return;
      case 'presence_diff':
        for (const sub of Object.keys(frame.joins ?? {}))
          this.#options.handlers.onPresenceJoin(sub);
        return;
      case 'presence_state':
        return;
      case 'reply': {
        const pending = frame.ref === undefined ? undefined : this.#pending.get(frame.ref);
        if (pending !== undefined) {
          this.#pending.delete(frame.ref!);
          if (frame.status === 'ok') pending.resolve();
          else
            pending.reject(
              new BenchError('ARQ_ERR_BENCH_CLIENT', `join refused: ${frame.error?.code ?? '?'}`),
            );
          return;
        }
        if (frame.status === 'error') this.#options.handlers.onError(frame.error?.code ?? '?');
        return;
      }
      case 'error':
        this.#options.handlers.onError(frame.error?.code ?? 'unknown');
        return;
    }
  }

  #delivered(data: Buffer, timeAt: number): void {
    const sentNs = readUint(data, timeAt);
    const nodeMark = data.indexOf(NODE_MARK, timeAt);
    const node =
      nodeMark === -1 || nodeMark - timeAt > NODE_SEARCH_BYTES
        ? -1
        : readUint(data, nodeMark + NODE_MARK.length);
    if (sentNs < 0 || node < 0) {
      this.#options.handlers.onError('unreadable_stamp');
      return;
    }
    this.#options.handlers.onDelivery(sentNs, node);
  }
}

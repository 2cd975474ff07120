/**
 * A test WebSocket client over `ws` that queues every frame so tests can await the next one.
 * Binary frames are decoded from protobuf into the shape of their JSON twins (see server-frames.ts);
 * `nextEntry` tells which encoding a frame came in.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { ClientFrame } from '../../proto/wire/index.js';
import { clientBinary, decodeServerBinary, type Frame } from './server-frames.js';

export type { Frame } from './server-frames.js';

export interface Entry {
  readonly frame: Frame;
  readonly binary: boolean;
}

/** What a refused upgrade answered: the HTTP status and the parsed JSON body. */
export interface Refusal {
  readonly status: number;
  readonly body: unknown;
}

let refCounter = 0;

/** A ref no other request of this process uses. */
export function nextRef(): string {
  refCounter += 1;
  return `r${refCounter}`;
}

export class TestClient {
  readonly ws: WebSocket;
  readonly #entries: Entry[] = [];
  readonly #waiters: ((entry: Entry) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  #isClosed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame = isBinary
        ? decodeServerBinary(data)
        : (JSON.parse(data.toString('utf8')) as Frame);
      const entry = { frame, binary: isBinary };
      const waiter = this.#waiters.shift();
      if (waiter) waiter(entry);
      else this.#entries.push(entry);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.#isClosed = true;
        resolve({ code, reason: reason.toString() });
      }),
    );
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  /** Connects with the token in the query string and consumes the welcome frame. */
  static connect(
    url: string,
    token: string,
    options: WebSocket.ClientOptions = {},
  ): Promise<{ client: TestClient; welcome: Frame }> {
    return TestClient.open(`${url}?token=${encodeURIComponent(token)}`, options);
  }

  /** Connects to exactly `url` (e.g. with an Authorization header) and consumes the welcome. */
  static async open(
    url: string,
    options: WebSocket.ClientOptions = {},
  ): Promise<{ client: TestClient; welcome: Frame }> {
    const client = new TestClient(new WebSocket(url, options));
    await client.opened;
    const welcome = await client.next();
    return { client, welcome };
  }

  /**
   * Tries an upgrade that the server must refuse; resolves with the HTTP answer. Rejects if a
   * socket opens instead.
   */
  static refused(url: string, options: WebSocket.ClientOptions = {}): Promise<Refusal> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      ws.on('unexpected-response', (req, res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        const socket = res.socket;
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          // The server would keep the HTTP connection alive; a refused client has no use for it.
          socket.destroy();
          req.destroy();
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: the test sees the text and fails its match
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      ws.on('open', () => {
        ws.close();
        reject(new Error('the upgrade was accepted'));
      });
      ws.on('error', (err) => {
        if (!/Unexpected server response/.test(err.message)) reject(err);
      });
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendBinary(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  /** Sends `bytes` as a TEXT frame as they are, valid UTF-8 or not. */
  sendTextBytes(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: false });
  }

  next(timeoutMs = 10_000): Promise<Frame> {
    return this.nextEntry(timeoutMs).then((entry) => entry.frame);
  }

  nextEntry(timeoutMs = 10_000): Promise<Entry> {
    const queued = this.#entries.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (entry: Entry): void => {
        clearTimeout(timer);
        resolve(entry);
      };
      this.#waiters.push(waiter);
    });
  }

  /** The next frame matching `predicate`, dropping the others. */
  async nextWhere(predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    return (await this.nextEntryWhere(predicate, timeoutMs)).frame;
  }

  async nextEntryWhere(predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Entry> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const entry = await this.nextEntry(Math.max(1, deadline - Date.now()));
      if (predicate(entry.frame)) return entry;
    }
  }

  /** The next frame matching `predicate` and every frame that came before it. */
  async collectUntil(
    predicate: (frame: Frame) => boolean,
    timeoutMs = 10_000,
  ): Promise<{ match: Frame; before: Frame[] }> {
    const before: Frame[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.next(Math.max(1, deadline - Date.now()));
      if (predicate(frame)) return { match: frame, before };
      before.push(frame);
    }
  }

  /** Sends a JSON frame with a fresh `ref` and returns its reply (other frames are dropped). */
  async request(frame: Record<string, unknown>, timeoutMs = 10_000): Promise<Frame> {
    return (await this.exchange(frame, timeoutMs)).reply;
  }

  /** Sends a JSON frame with a fresh `ref`; returns its reply and every frame that came before. */
  async exchange(
    frame: Record<string, unknown>,
    timeoutMs = 10_000,
  ): Promise<{ reply: Frame; before: Frame[] }> {
    const ref = nextRef();
    this.send({ ...frame, ref });
    const { match, before } = await this.collectUntil(
      (f) => f.op === 'reply' && f.ref === ref,
      timeoutMs,
    );
    return { reply: match, before };
  }

  /** Sends a protobuf frame with a fresh `ref` and returns its reply entry (with its encoding). */
  async requestBinary(frame: ClientFrame, timeoutMs = 10_000): Promise<Entry> {
    const ref = nextRef();
    this.sendBinary(clientBinary({ ...frame, ref }));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const entry = await this.nextEntry(Math.max(1, deadline - Date.now()));
      if (entry.frame.op === 'reply' && entry.frame.ref === ref) return entry;
    }
  }

  /**
   * A ping round trip: resolves with every frame that arrived before its reply. The server answers
   * a connection's frames in order, so whatever it sent this socket earlier is in the list.
   */
  async sync(timeoutMs = 10_000): Promise<Frame[]> {
    return (await this.exchange({ op: 'ping' }, timeoutMs)).before;
  }

  /** Frames received and not yet taken. */
  get pending(): number {
    return this.#entries.length;
  }

  close(): void {
    this.ws.close();
  }
}

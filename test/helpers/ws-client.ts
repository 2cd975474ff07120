/** A test WebSocket client over `ws` that queues every frame so tests can await the next one. */
import WebSocket from 'ws';

export interface Frame {
  readonly op: string;
  readonly [key: string]: unknown;
}

export class TestClient {
  readonly ws: WebSocket;
  readonly #frames: (Frame | Buffer)[] = [];
  readonly #waiters: ((frame: Frame | Buffer) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame = isBinary ? Buffer.from(data) : (JSON.parse(data.toString('utf8')) as Frame);
      const waiter = this.#waiters.shift();
      if (waiter) waiter(frame);
      else this.#frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  /** Connects and consumes the welcome frame. */
  static async connect(
    url: string,
    token: string,
    options: WebSocket.ClientOptions = {},
  ): Promise<{ client: TestClient; welcome: Frame }> {
    const client = new TestClient(
      new WebSocket(`${url}?token=${encodeURIComponent(token)}`, options),
    );
    await client.opened;
    const welcome = await client.next();
    return { client, welcome };
  }

  /** Opens a socket without waiting for anything (for refused upgrades). */
  static raw(url: string, options: WebSocket.ClientOptions = {}): WebSocket {
    return new WebSocket(url, options);
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendBinary(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  next(timeoutMs = 10_000): Promise<Frame> {
    return this.nextAny(timeoutMs) as Promise<Frame>;
  }

  nextAny(timeoutMs = 10_000): Promise<Frame | Buffer> {
    const queued = this.#frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (frame: Frame | Buffer): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.#waiters.push(waiter);
    });
  }

  /** The next frame matching `predicate`, dropping the others. */
  async nextWhere(predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.next(Math.max(1, deadline - Date.now()));
      if (predicate(frame)) return frame;
    }
  }

  /** Sends a frame with `ref` and returns its reply. */
  async request(frame: Record<string, unknown>, timeoutMs = 10_000): Promise<Frame> {
    const ref = String(Math.random()).slice(2);
    this.send({ ...frame, ref });
    return this.nextWhere((f) => f.op === 'reply' && f.ref === ref, timeoutMs);
  }

  /** Frames received and not yet taken. */
  get pending(): number {
    return this.#frames.length;
  }

  close(): void {
    this.ws.close();
  }
}

import {
  loadUws,
  type TemplatedApp,
  type us_listen_socket,
  type us_socket,
  type WebSocket,
} from '../../../src/uws/index.js';
import { BenchError } from '../../lib/index.js';

const uWS = loadUws().module;

/** Per-socket data: who it is (no auth: the `sub` query parameter) and a connection number. */
interface PeerSocketData {
  readonly sub: string;
  readonly conn: number;
}

interface ClientFrame {
  readonly op?: unknown;
  readonly room?: unknown;
  readonly ref?: unknown;
  readonly data?: unknown;
  readonly headers?: unknown;
}

const HEARTBEAT_MS = 25_000;
const IDLE_TIMEOUT_S = 60;
const MAX_PAYLOAD_BYTES = 1024 * 1024;
const MAX_BACKPRESSURE_BYTES = 16 * 1024 * 1024;

/**
 * The limit of this stack: ArqonBus's JSON join/publish shape served straight from uWS topics, with
 * no auth, no threads, no actors, no presence. A publish is parsed once, one `message` frame is
 * serialised once and handed to `app.publish`, which writes it to every subscriber.
 */
export class BareUwsServer {
  readonly #app: TemplatedApp;
  readonly #sockets = new Set<WebSocket<PeerSocketData>>();
  readonly #offsets = new Map<string, number>();
  #listenSocket: us_listen_socket | null = null;
  #nextConn = 1;
  #port = 0;

  private constructor() {
    this.#app = uWS.App().ws<PeerSocketData>('/ws', {
      maxPayloadLength: MAX_PAYLOAD_BYTES,
      maxBackpressure: MAX_BACKPRESSURE_BYTES,
      idleTimeout: IDLE_TIMEOUT_S,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        const data: PeerSocketData = {
          sub: req.getQuery('sub') || 'anonymous',
          conn: this.#nextConn++,
        };
        res.upgrade(
          data,
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => {
        this.#sockets.add(ws);
        const { sub, conn } = ws.getUserData();
        ws.send(
          JSON.stringify({
            op: 'welcome',
            node: 'bare-uws',
            conn: String(conn),
            tenant: 'none',
            sub,
            heartbeat_ms: HEARTBEAT_MS,
          }),
        );
      },
      message: (ws, message) => this.#received(ws, message),
      close: (ws) => {
        this.#sockets.delete(ws);
      },
    });
  }

  static listen(host: string, port: number): Promise<BareUwsServer> {
    const server = new BareUwsServer();
    return new Promise((resolve, reject) => {
      server.#app.listen(host, port, (socket) => {
        if (!socket) {
          reject(new BenchError('ARQ_ERR_BENCH_SERVER', `cannot listen on ${host}:${port}`));
          return;
        }
        server.#listenSocket = socket;
        server.#port = uWS.us_socket_local_port(socket as unknown as us_socket);
        resolve(server);
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  /** uWS aborts the process if it exits with open handles: close everything first. */
  close(): void {
    if (this.#listenSocket !== null) uWS.us_listen_socket_close(this.#listenSocket);
    this.#listenSocket = null;
    for (const ws of [...this.#sockets]) ws.close();
  }

  #received(ws: WebSocket<PeerSocketData>, message: ArrayBuffer): void {
    let frame: ClientFrame;
    try {
      frame = JSON.parse(Buffer.from(message).toString('utf8')) as ClientFrame;
    } catch {
      ws.send('{"op":"error","error":{"code":"bad_frame","message":"not JSON"}}');
      return;
    }
    const ref = typeof frame.ref === 'string' ? frame.ref : undefined;
    if (typeof frame.room !== 'string') {
      this.#reply(ws, ref, 'error', { code: 'bad_frame', message: 'room missing' });
      return;
    }
    switch (frame.op) {
      case 'join':
        ws.subscribe(frame.room);
        this.#reply(ws, ref, 'ok', { epoch: 'bare', offset: this.#offsets.get(frame.room) ?? 0 });
        return;
      case 'leave':
        ws.unsubscribe(frame.room);
        this.#reply(ws, ref, 'ok', {});
        return;
      case 'publish': {
        const offset = (this.#offsets.get(frame.room) ?? 0) + 1;
        this.#offsets.set(frame.room, offset);
        const id = `bare:${offset}`;
        const out = JSON.stringify({
          op: 'message',
          room: frame.room,
          id,
          offset,
          ts: Date.now(),
          from: ws.getUserData().sub,
          data: frame.data,
          headers: frame.headers ?? {},
        });
        this.#app.publish(frame.room, out, false);
        this.#reply(ws, ref, 'ok', { id, offset });
        return;
      }
      default:
        this.#reply(ws, ref, 'error', { code: 'unknown_op', message: 'unknown op' });
    }
  }

  #reply(
    ws: WebSocket<PeerSocketData>,
    ref: string | undefined,
    status: 'ok' | 'error',
    body: object,
  ): void {
    if (ref === undefined) {
      if (status === 'error') ws.send(JSON.stringify({ op: 'error', error: body }));
      return;
    }
    const key = status === 'ok' ? 'body' : 'error';
    ws.send(JSON.stringify({ op: 'reply', ref, status, [key]: body }));
  }
}

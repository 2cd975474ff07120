import { Worker } from 'node:worker_threads';
import { allocateRingPair, EnvelopeKind, ThreadChannel } from '../../../src/transport/index.js';
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
const HOP_WORKER_URL = new URL('./hop-worker.js', import.meta.url);
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/**
 * The limit of this stack: ArqonBus's JSON join/publish shape served straight from uWS topics, with
 * no auth, no threads, no actors, no presence. A publish is parsed once, one `message` frame is
 * serialised once and handed to `app.publish`, which writes it to every subscriber.
 *
 * With `hop`, that frame first goes to a worker thread and back over ArqonBus's own rings
 * (src/transport) before `app.publish`: the one thing ArqonBus's path has that this one lacks
 * and that no amount of JavaScript tuning removes, measured on its own.
 */
export class BareUwsServer {
  readonly #app: TemplatedApp;
  readonly #sockets = new Set<WebSocket<PeerSocketData>>();
  readonly #offsets = new Map<string, number>();
  #listenSocket: us_listen_socket | null = null;
  #nextConn = 1;
  #port = 0;
  readonly #hop: ThreadChannel | null;

  private constructor(hop: boolean) {
    this.#hop = hop ? this.#startHop() : null;
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

  static listen(host: string, port: number, hop = false): Promise<BareUwsServer> {
    const server = new BareUwsServer(hop);
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

  #startHop(): ThreadChannel {
    const pair = allocateRingPair();
    const channel = ThreadChannel.open(pair, 'edge');
    new Worker(HOP_WORKER_URL, { workerData: { pair } }).unref();
    void channel.receive((record) => {
      this.#app.publish(textDecoder.decode(record.key), record.payload, false);
    });
    return channel;
  }

  /** uWS aborts the process if it exits with open handles: close everything first. */
  close(): void {
    if (this.#listenSocket !== null) uWS.us_listen_socket_close(this.#listenSocket);
    this.#listenSocket = null;
    for (const ws of [...this.#sockets]) ws.close();
    this.#hop?.close();
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
        if (this.#hop === null) this.#app.publish(frame.room, out, false);
        else
          this.#hop.send(
            {
              kind: EnvelopeKind.Publish,
              flags: 0,
              connId: 0,
              roomId: 0,
              correlationId: 0,
              value: 0,
            },
            textEncoder.encode(frame.room),
            textEncoder.encode(out),
          );
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

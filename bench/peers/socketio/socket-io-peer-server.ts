import { createServer, type Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';

interface PublishArgs {
  readonly room?: unknown;
  readonly data?: unknown;
  readonly headers?: unknown;
}

type Ack = (body: object) => void;

/**
 * Socket.IO 4 peer with the same shape as ArqonBus: `join` puts the socket in a room, `publish`
 * emits one `message` event with the same fields to the room (sender included). Defaults otherwise:
 * the node http server and `ws` under engine.io, no adapter beyond the in-memory one.
 */
export class SocketIoPeerServer {
  readonly #http: HttpServer;
  readonly #io: Server;
  readonly #offsets = new Map<string, number>();

  private constructor() {
    this.#http = createServer();
    this.#io = new Server(this.#http, { serveClient: false });
    this.#io.on('connection', (socket) => this.#connected(socket));
  }

  static listen(host: string, port: number): Promise<SocketIoPeerServer> {
    const server = new SocketIoPeerServer();
    return new Promise((resolve, reject) => {
      server.#http.once('error', reject);
      server.#http.listen(port, host, () => resolve(server));
    });
  }

  get port(): number {
    const address = this.#http.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#io.close(() => resolve()));
  }

  #connected(socket: Socket): void {
    const sub = typeof socket.handshake.query.sub === 'string' ? socket.handshake.query.sub : '';
    socket.on('join', (room: unknown, ack?: Ack) => {
      if (typeof room !== 'string') return ack?.({ status: 'error', code: 'bad_frame' });
      void socket.join(room);
      ack?.({ status: 'ok', body: { epoch: 'sio', offset: this.#offsets.get(room) ?? 0 } });
    });
    socket.on('leave', (room: unknown, ack?: Ack) => {
      if (typeof room === 'string') void socket.leave(room);
      ack?.({ status: 'ok' });
    });
    socket.on('publish', (args: PublishArgs, ack?: Ack) => {
      if (typeof args?.room !== 'string') return ack?.({ status: 'error', code: 'bad_frame' });
      const offset = (this.#offsets.get(args.room) ?? 0) + 1;
      this.#offsets.set(args.room, offset);
      const id = `sio:${offset}`;
      this.#io.to(args.room).emit('message', {
        room: args.room,
        id,
        offset,
        ts: Date.now(),
        from: sub,
        data: args.data,
        headers: args.headers ?? {},
      });
      ack?.({ status: 'ok', body: { id, offset } });
    });
  }
}

import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { BenchClient, BenchClientOptions } from './bench-client.js';
import { BenchError } from './bench-error.js';

interface JoinAck {
  readonly status?: string;
}

interface RoomMessage {
  readonly data?: { readonly t?: number; readonly s?: number };
}

/** engine.io-client hands `localAddress` to `ws` but does not declare it. */
type IoOptions = Partial<ManagerOptions & SocketOptions> & { localAddress?: string };

/** Socket.IO 4 client, websocket transport only, one engine.io connection per client. */
export class SocketIoBenchClient implements BenchClient {
  readonly #socket: Socket;
  readonly #timeoutMs: number;

  private constructor(socket: Socket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
  }

  static connect(options: BenchClientOptions): Promise<SocketIoBenchClient> {
    const ioOptions: IoOptions = {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: options.timeoutMs,
      query: { sub: options.sub },
      ...(options.localAddress === null ? {} : { localAddress: options.localAddress }),
    };
    const socket = io(options.url, ioOptions);
    const client = new SocketIoBenchClient(socket, options.timeoutMs);
    const { handlers } = options;
    socket.on('message', (message: RoomMessage) =>
      handlers.onDelivery(message.data?.t ?? 0, message.data?.s ?? -1),
    );
    socket.on('error', (error: unknown) => handlers.onError(String(error)));
    return new Promise((resolve, reject) => {
      socket.once('connect', () => {
        socket.off('connect_error');
        socket.on('disconnect', (reason) => handlers.onClose(reason));
        resolve(client);
      });
      socket.once('connect_error', (cause) => {
        socket.close();
        reject(
          new BenchError('ARQ_ERR_BENCH_CLIENT', `connect failed: ${cause.message}`, { cause }),
        );
      });
    });
  }

  join(room: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.timeout(this.#timeoutMs).emit('join', room, (error: unknown, ack: JoinAck) => {
        if (error === null && ack?.status === 'ok') resolve();
        else reject(new BenchError('ARQ_ERR_BENCH_CLIENT', `join failed: ${String(error)}`));
      });
    });
  }

  publish(room: string, sentNs: number, seq: number, textJson: string | null): void {
    const data =
      textJson === null ? { t: sentNs, s: seq } : { t: sentNs, s: seq, text: JSON.parse(textJson) };
    this.#socket.emit('publish', { room, data });
  }

  close(): void {
    this.#socket.close();
  }
}

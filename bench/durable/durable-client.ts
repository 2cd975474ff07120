import { signToken } from '../../src/auth/index.js';
import { ArqWsConnection, BENCH_HOST, BENCH_TENANT, BenchError } from '../lib/index.js';

const TOKEN_TTL = '1h';
const MESSAGE_PREFIX = Buffer.from('{"op":"message"');
const REPLY_PREFIX = Buffer.from('{"op":"reply"');

function startsWith(data: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return (
    end - start >= prefix.length &&
    data.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0
  );
}

interface ReplyFrame {
  readonly ref?: string;
  readonly status?: string;
  readonly body?: Record<string, unknown>;
  readonly error?: { readonly code?: string };
}

/** A reply frame as far as the bench reads it. */
export interface DurableReply {
  readonly status: 'ok' | 'error';
  readonly body: Readonly<Record<string, unknown>>;
  readonly code: string;
}

export interface DurableClientOptions {
  readonly port: number;
  readonly secret: string;
  readonly sub: string;
  readonly timeoutMs: number;
  /** Each `message` frame, as raw bytes valid only during the call. */
  readonly onMessage: (data: Buffer, start: number, end: number) => void;
}

interface Waiting {
  readonly resolve: (reply: DurableReply) => void;
  readonly reject: (error: BenchError) => void;
}

/**
 * One JSON connection that can wait for the reply to any request (the fan-out clients only wait for
 * joins): publishes with refs answered once stored, and joins with `since`, whose reply carries the
 * room's epoch and offset.
 */
export class DurableClient {
  readonly #connection: ArqWsConnection;
  readonly #waiting: Map<string, Waiting>;
  #nextRef = 1;

  private constructor(connection: ArqWsConnection, waiting: Map<string, Waiting>) {
    this.#connection = connection;
    this.#waiting = waiting;
  }

  static async connect(options: DurableClientOptions): Promise<DurableClient> {
    const token = await signToken({
      secret: options.secret,
      tenant: BENCH_TENANT,
      sub: options.sub,
      rooms: ['>'],
      ttl: TOKEN_TTL,
    });
    const waiting = new Map<string, Waiting>();
    const failAll = (why: string): void => {
      for (const w of waiting.values()) w.reject(new BenchError('ARQ_ERR_BENCH_CLIENT', why));
      waiting.clear();
    };
    const connection = await ArqWsConnection.connect({
      url: `ws://${BENCH_HOST}:${options.port}`,
      query: `token=${encodeURIComponent(token)}`,
      timeoutMs: options.timeoutMs,
      localAddress: null,
      // Replies are taken here, before ArqWsConnection would turn an error reply into onError.
      onRaw: (data, start, end) => {
        if (startsWith(data, start, end, MESSAGE_PREFIX)) {
          options.onMessage(data, start, end);
          return true;
        }
        if (!startsWith(data, start, end, REPLY_PREFIX)) return false;
        const reply = JSON.parse(data.toString('utf8', start, end)) as ReplyFrame;
        const w = waiting.get(reply.ref ?? '');
        if (w !== undefined) {
          waiting.delete(reply.ref ?? '');
          w.resolve({
            status: reply.status === 'ok' ? 'ok' : 'error',
            body: reply.body ?? {},
            code: reply.error?.code ?? '',
          });
        }
        return true;
      },
      onControl: () => {},
      onError: (code) => failAll(`error frame ${code}`),
      onClose: (code) => failAll(`closed with ${code}`),
    });
    return new DurableClient(connection, waiting);
  }

  /** Sends `frame` with a fresh ref and resolves with its reply. */
  request(frame: Readonly<Record<string, unknown>>): Promise<DurableReply> {
    const ref = `r${this.#nextRef++}`;
    return new Promise((resolve, reject) => {
      this.#waiting.set(ref, { resolve, reject });
      this.#connection.send(JSON.stringify({ ...frame, ref }));
    });
  }

  close(): void {
    this.#connection.close();
  }
}

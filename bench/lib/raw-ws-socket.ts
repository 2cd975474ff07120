import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { BenchError } from './bench-error.js';
import {
  type FrameHandler,
  OPCODE_CLOSE,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  WsFrameReader,
} from './ws-frame-reader.js';

/** RFC 6455 section 1.3: the server proves the upgrade by hashing the key with this. */
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const CLOSE_ABNORMAL = 1006;
const CLOSE_NO_STATUS = 1005;
const MASK_BYTES = 4;

export interface RawWsSocketOptions {
  /** `ws://host:port/path?query`. */
  readonly url: string;
  readonly timeoutMs: number;
  /** Source address of the TCP connection, or null. */
  readonly localAddress: string | null;
  /** A text or binary frame (control frames are answered here). */
  readonly onMessage: FrameHandler;
  /** A frame stream this client cannot read (`ws-frame-reader.ts`); the socket is dropped. */
  readonly onFault: (fault: string) => void;
  /** The connection ended: the server's close code, or 1006 when the socket just went. */
  readonly onClose: (code: number) => void;
}

/**
 * A WebSocket client for the load generators: the upgrade through `node:http` (which parses the
 * 101 answer), then frames read by WsFrameReader straight from the TCP socket. It does what `ws`
 * does for a client that sends little and reads a lot, for ~16% less CPU in a cluster generator
 * (bench/RESULTS.md, cluster, session 6): the generators share the cores with the servers they
 * measure, so their cost is part of every latency figure. Hand-rolled on purpose, for that alone;
 * the product and its tests speak WebSocket through `ws` and the SDK.
 */
export class RawWsSocket {
  readonly #socket: Socket;
  readonly #head: Buffer;
  readonly #options: RawWsSocketOptions;
  #closeCode = CLOSE_ABNORMAL;
  #started = false;

  private constructor(socket: Socket, head: Buffer, options: RawWsSocketOptions) {
    this.#socket = socket;
    this.#head = head;
    this.#options = options;
    socket.setNoDelay(true);
    socket.on('error', () => {}); // 'close' follows
  }

  /**
   * Starts reading (frames may already be waiting: the welcome often comes with the 101). Until
   * then the socket buffers what arrives, so the owner can hold this object before any frame.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const socket = this.#socket;
    const options = this.#options;
    let closing = false;
    const reader = new WsFrameReader((opcode, chunk, start, end) => {
      if (closing) return; // nothing counts after the server's close frame
      if (opcode === OPCODE_PING) this.#write(OPCODE_PONG, chunk.subarray(start, end));
      else if (opcode === OPCODE_CLOSE) {
        closing = true;
        const hasCode = end - start >= 2;
        this.#closeCode = hasCode ? chunk.readUInt16BE(start) : CLOSE_NO_STATUS;
        // RFC 6455 5.5.1: answer a close with a close (echoing its code), then end the TCP stream.
        this.#write(OPCODE_CLOSE, chunk.subarray(start, hasCode ? start + 2 : start));
        socket.end();
      } else if (opcode !== OPCODE_PONG) options.onMessage(opcode, chunk, start, end);
    });
    const read = (chunk: Buffer): void => {
      const fault = reader.push(chunk);
      if (fault === null) return;
      options.onFault(fault);
      socket.destroy();
    };
    socket.once('close', () => options.onClose(this.#closeCode));
    if (this.#head.length > 0) read(this.#head);
    socket.on('data', read);
  }

  /**
   * Resolves once the server answered the upgrade with 101 and the right accept key, with a socket
   * that reads nothing before `start()`.
   */
  static connect(options: RawWsSocketOptions): Promise<RawWsSocket> {
    const url = new URL(options.url);
    const key = randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const fail = (message: string, cause?: unknown): void => {
        clearTimeout(timer);
        req.destroy();
        reject(new BenchError('ARQ_ERR_BENCH_CLIENT', message, { cause }));
      };
      const req = request({
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        agent: false,
        ...(options.localAddress === null ? {} : { localAddress: options.localAddress }),
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': key,
          'Sec-WebSocket-Version': '13',
        },
      });
      const timer = setTimeout(() => fail('no upgrade answer in time'), options.timeoutMs);
      req.on('error', (cause) => fail(`connect failed: ${cause.message}`, cause));
      req.on('response', (res) => {
        res.resume();
        fail(`upgrade refused: HTTP ${res.statusCode}`);
      });
      req.on('upgrade', (res, socket, head) => {
        clearTimeout(timer);
        const expected = createHash('sha1')
          .update(key + ACCEPT_GUID)
          .digest('base64');
        if (res.headers['sec-websocket-accept'] !== expected) {
          socket.destroy();
          reject(
            new BenchError('ARQ_ERR_BENCH_CLIENT', 'upgrade answered with a wrong accept key'),
          );
          return;
        }
        resolve(new RawWsSocket(socket, head, options));
      });
      req.end();
    });
  }

  sendText(text: string): void {
    this.#write(OPCODE_TEXT, Buffer.from(text, 'utf8'));
  }

  /** Drops the connection without a close handshake (onClose follows with 1006). */
  terminate(): void {
    this.#socket.destroy();
  }

  /** A client frame: FIN, the opcode, the length, a random mask (RFC 6455 5.3), masked payload. */
  #write(opcode: number, payload: Buffer): void {
    if (this.#socket.destroyed) return;
    const length = payload.length;
    const lengthBytes = length < 126 ? 0 : length < 0x1_0000 ? 2 : 8;
    const headerBytes = 2 + lengthBytes + MASK_BYTES;
    const frame = Buffer.allocUnsafe(headerBytes + length);
    frame[0] = 0x80 | opcode;
    if (lengthBytes === 0) frame[1] = 0x80 | length;
    else if (lengthBytes === 2) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
      frame.writeUInt32BE(length >>> 0, 6);
    }
    const maskAt = headerBytes - MASK_BYTES;
    randomFillSync(frame, maskAt, MASK_BYTES);
    for (let i = 0; i < length; i++) {
      frame[headerBytes + i] = payload[i]! ^ frame[maskAt + (i & 3)]!;
    }
    this.#socket.write(frame);
  }
}

import { httpErrorBody, type WireErrorCode } from '../../proto/wire/index.js';
import type { HttpResponse } from '../uws/index.js';

/** HTTP status per wire error code, for the HTTP API's error answers. */
export const HTTP_STATUS_OF: Readonly<Record<WireErrorCode, string>> = Object.freeze({
  bad_frame: '400 Bad Request',
  unknown_op: '400 Bad Request',
  unauthorized: '401 Unauthorized',
  forbidden: '403 Forbidden',
  not_joined: '409 Conflict',
  no_such_room: '404 Not Found',
  too_large: '413 Payload Too Large',
  rate_limited: '429 Too Many Requests',
  policy_denied: '403 Forbidden',
  overloaded: '503 Service Unavailable',
  internal: '500 Internal Server Error',
});

/**
 * Writes a whole response at once, corked (uWS requires writes from outside its own callbacks to be
 * corked) and only if the request was not aborted meanwhile.
 */
export class Reply {
  readonly #res: HttpResponse;
  #done = false;

  constructor(res: HttpResponse) {
    this.#res = res;
    res.onAborted(() => {
      this.#done = true;
    });
  }

  get done(): boolean {
    return this.#done;
  }

  json(status: string, body: unknown): void {
    this.send(status, 'application/json', JSON.stringify(body));
  }

  error(code: WireErrorCode, message: string): void {
    this.send(HTTP_STATUS_OF[code], 'application/json', httpErrorBody(code, message));
  }

  send(status: string, contentType: string, body: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#res.cork(() => {
      this.#res.writeStatus(status).writeHeader('content-type', contentType).end(body);
    });
  }
}

/** Reads a request body up to `limit` bytes; null when it is larger (or the request aborted). */
export function readBody(res: HttpResponse, reply: Reply, limit: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (reply.done) return resolve(null);
      size += chunk.byteLength;
      if (size > limit) {
        reply.error('too_large', `request body over ${limit} bytes`);
        return resolve(null);
      }
      // uWS reuses the chunk's memory after this call: copy it.
      chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (isLast) resolve(Buffer.concat(chunks));
    });
  });
}

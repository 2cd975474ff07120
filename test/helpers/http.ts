/**
 * Plain HTTP calls to a node's API. Each call uses its own connection, closed after the answer
 * (no keep-alive pool holding the test process open after the node is gone).
 */
import { request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface HttpCall {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly token?: string;
  /** Sent as JSON unless it is a string (sent as is) or bytes (sent as application/wasm). */
  readonly body?: unknown;
}

export function http(url: string, call: HttpCall = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
  let body: string | Uint8Array | undefined;
  if (call.body instanceof Uint8Array) {
    body = call.body;
    headers['content-type'] = 'application/wasm';
    headers['content-length'] = String(body.byteLength);
  } else if (call.body !== undefined) {
    body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: call.method ?? (body === undefined ? 'GET' : 'POST'), headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text,
            json,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

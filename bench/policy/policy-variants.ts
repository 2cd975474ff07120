import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { signToken } from '../../src/auth/index.js';
import { BENCH_HOST, BenchError } from '../lib/index.js';

/** One policy set the bench measures, and the text its messages carry. */
export interface PolicyVariant {
  readonly name: string;
  /** Shown in the table after the server's name. */
  readonly label: string;
  /** Shipped policies (dist/policies/NAME.wasm), pushed as global policies in this order. */
  readonly policies: readonly string[];
  /** `data.text` of every message. */
  readonly text: string;
}

/** Nothing in it for pii-redact to redact, nor for deny-words to deny: every message is allowed. */
export const CLEAN_TEXT =
  'see you at the station around noon, bring the tickets and the map please';
/** An e-mail address and a phone number: pii-redact rewrites every message. */
const PII_TEXT = 'see you at the station around noon, mail jane.doe@example.com or call 0612345678';

export const POLICY_VARIANTS: readonly PolicyVariant[] = [
  { name: 'none', label: 'no policy', policies: [], text: CLEAN_TEXT },
  { name: 'pii-redact', label: 'pii-redact', policies: ['pii-redact'], text: CLEAN_TEXT },
  {
    name: 'chain3',
    label: 'pii-redact + deny-words + room-firewall',
    policies: ['pii-redact', 'deny-words', 'room-firewall'],
    text: CLEAN_TEXT,
  },
  {
    name: 'pii-rewrite',
    label: 'pii-redact, every message rewritten',
    policies: ['pii-redact'],
    text: PII_TEXT,
  },
];

const POLICY_DIR = new URL('../../policies/', import.meta.url);
const ADMIN_TTL = '1h';

/** Pushes `names` as global policies (PUT /v1/admin/policies/NAME), in order. */
export async function pushPolicies(
  port: number,
  secret: string,
  names: readonly string[],
): Promise<void> {
  if (names.length === 0) return;
  const token = await signToken({
    secret,
    tenant: 'bench-admin',
    sub: 'bench',
    rooms: ['>'],
    caps: ['admin'],
    ttl: ADMIN_TTL,
  });
  for (const name of names) {
    const body = await readFile(fileURLToPath(new URL(`${name}.wasm`, POLICY_DIR)));
    const { status, text } = await putPolicy(port, token, name, body);
    if (status !== 200)
      throw new BenchError('ARQ_ERR_BENCH_SERVER', `pushing ${name} answered ${status}: ${text}`);
  }
}

/** PUT /v1/admin/policies/NAME with a module; the answer's status and body. */
export function putPolicy(
  port: number,
  token: string,
  name: string,
  body: Uint8Array,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `http://${BENCH_HOST}:${port}/v1/admin/policies/${encodeURIComponent(name)}`,
      {
        method: 'PUT',
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/wasm',
          'content-length': String(body.byteLength),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/*
 * Where the cross-node milliseconds go at a low rate: the same local cluster as bench:cluster, ONE
 * client per node in one room, each node's client in turn publishing (with a `ref`, so a reply comes
 * back) every --interval-ms. Reports, per publisher node, the publish -> reply time and the
 * publish -> delivery time on every node. The node that answers its own client's publish fastest
 * owns the room (replies from the others cross NATS twice).
 *
 *   node dist/bench/cluster/path-probe.js [--nodes 3] [--count 150] [--interval-ms 40]
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { TokenSigner } from '../../src/auth/index.js';
import {
  BENCH_TENANT,
  BenchError,
  formatLoadAverage,
  LatencyHistogram,
  markdownTable,
  monotonicNs,
  numberFlag,
  runFromFrozenBuild,
} from '../lib/index.js';
import { LocalCluster } from './local-cluster.js';

await runFromFrozenBuild(import.meta.url);

const ROOM = 'path-probe';
const SETTLE_MS = 1_500;
const TAIL_MS = 500;
const WELCOME_TIMEOUT_MS = 10_000;

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    count: { type: 'string', default: '150' },
    'interval-ms': { type: 'string', default: '40' },
  },
});
const nodes = numberFlag('nodes', values.nodes, { min: 1, integer: true });
const count = numberFlag('count', values.count, { min: 1, integer: true });
const intervalMs = numberFlag('interval-ms', values['interval-ms'], { min: 1, integer: false });
const log = (line: string): void => console.error(line);

interface Frame {
  readonly op?: string;
  readonly ref?: string;
  readonly data?: { readonly t?: number };
}

const secret = randomBytes(32).toString('base64url');
const startLoad = formatLoadAverage();
const cluster = await LocalCluster.start({ nodes, secret, workers: 1, extraFlags: [], log });
const signer = new TokenSigner({ secret });
const replies = Array.from({ length: nodes }, () => new LatencyHistogram());
// deliveries[publisher][receiver]
const deliveries = Array.from({ length: nodes }, () =>
  Array.from({ length: nodes }, () => new LatencyHistogram()),
);
let publisher = 0;
const sockets: WebSocket[] = [];
try {
  for (let i = 0; i < nodes; i++) {
    const token = await signer.sign({ tenant: BENCH_TENANT, sub: `path-${i}`, rooms: ['>'] });
    const ws = new WebSocket(`${cluster.urls[i]}/ws?token=${encodeURIComponent(token)}`);
    sockets.push(ws);
    const welcomed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new BenchError('ARQ_ERR_BENCH_TIMEOUT', `no welcome from node ${i + 1}`)),
        WELCOME_TIMEOUT_MS,
      );
      ws.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await welcomed;
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      const at = monotonicNs();
      if (frame.op === 'message' && frame.data?.t !== undefined)
        deliveries[publisher]![i]!.record((at - frame.data.t) / 1000);
      else if (frame.op === 'reply' && frame.ref?.startsWith('p'))
        replies[i]!.record((at - Number(frame.ref.slice(1))) / 1000);
    });
    ws.send(JSON.stringify({ op: 'join', room: ROOM, ref: 'j' }));
  }
  await sleep(SETTLE_MS);
  for (publisher = 0; publisher < nodes; publisher++) {
    for (let k = 0; k < count; k++) {
      const t = monotonicNs();
      sockets[publisher]!.send(
        JSON.stringify({ op: 'publish', room: ROOM, data: { t }, ref: `p${t}` }),
      );
      await sleep(intervalMs);
    }
    await sleep(TAIL_MS);
  }
} finally {
  for (const ws of sockets) ws.terminate();
  await cluster.stop(log);
}

const ms = (h: LatencyHistogram, p: number): string => (h.percentile(p) / 1000).toFixed(2);
console.log(
  [
    `Command: \`node dist/bench/cluster/path-probe.js ${process.argv.slice(2).join(' ')}\``.trim(),
    `Load average (1/5/15 min) at start: ${startLoad}; at end: ${formatLoadAverage()}`,
    `${nodes} nodes, one client each, one room; each node's client publishes ${count} times, one every ${intervalMs} ms; p50 / p99 ms`,
    '',
    markdownTable(
      [
        'publisher',
        'publish -> reply',
        ...Array.from({ length: nodes }, (_, i) => `-> node ${i + 1}`),
      ],
      replies.map((reply, p) => [
        `node ${p + 1}`,
        `${ms(reply, 0.5)} / ${ms(reply, 0.99)}`,
        ...deliveries[p]!.map((h) => `${ms(h, 0.5)} / ${ms(h, 0.99)}`),
      ]),
    ),
  ].join('\n'),
);

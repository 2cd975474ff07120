/**
 * `npm run bench:policy-compile`: does compiling a pushed module in the piscina pool keep the edge
 * responsive? A node runs in its own process, once with `--policy-compile pool` and once with
 * `inline`; a client pings it over WebSocket every PING_EVERY_MS while a large module is pushed
 * PUSHES times, and the ping round trips during the pushes are compared with those before.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { signToken } from '../../src/auth/index.js';
import {
  formatLoadAverage,
  formatMachineInfo,
  LatencyHistogram,
  machineInfo,
  markdownTable,
  ServerProcess,
} from '../lib/index.js';
import { largeModule } from './large-module.js';
import { putPolicy } from './policy-variants.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const PING_EVERY_MS = 2;
const PUSHES = 5;
const FUNCTIONS = Number(process.env.BENCH_FUNCTIONS ?? 3000);
const OPS_PER_FUNCTION = Number(process.env.BENCH_OPS ?? 1500);
const BASELINE_MS = 2000;

interface Pinger {
  readonly histogram: LatencyHistogram;
  stop(): void;
}

async function startPinger(url: string): Promise<Pinger> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('message', resolve); // welcome
    ws.once('error', reject);
  });
  const histogram = new LatencyHistogram();
  const sent = new Map<string, number>();
  let n = 0;
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as { ref?: string };
    const at = frame.ref === undefined ? undefined : sent.get(frame.ref);
    if (at === undefined) return;
    sent.delete(frame.ref as string);
    histogram.record((performance.now() - at) * 1000);
  });
  const timer = setInterval(() => {
    const ref = `p${n++}`;
    sent.set(ref, performance.now());
    ws.send(JSON.stringify({ op: 'ping', ref }));
  }, PING_EVERY_MS);
  return {
    histogram,
    stop: () => {
      clearInterval(timer);
      ws.close();
    },
  };
}

interface Result {
  readonly mode: string;
  readonly before: LatencyHistogram;
  readonly during: LatencyHistogram;
  readonly pushMs: number[];
}

async function run(mode: 'pool' | 'inline', secret: string): Promise<Result> {
  const server = await ServerProcess.start({
    script: CLI,
    args: ['start', '--host', '127.0.0.1', '--port', '0', '--workers', '1'],
    env: {
      ...process.env,
      ARQ_JWT_SECRET: secret,
      ARQ_POLICY_COMPILE: mode,
      ARQ_DRAIN_TIMEOUT_MS: '0',
    },
  });
  try {
    const token = await signToken({
      secret,
      tenant: 'b',
      sub: 'bench',
      rooms: ['>'],
      caps: ['admin'],
      ttl: '1h',
    });
    const pinger = await startPinger(`ws://127.0.0.1:${server.port}/ws?token=${token}`);
    // Warm-up push: the pool's thread and the runner start once; not measured.
    await putPolicy(server.port, token, 'warm', largeModule(10, 10, 'warm'));
    await new Promise((resolve) => setTimeout(resolve, BASELINE_MS));
    const before = snapshotOf(pinger.histogram);
    const during = new LatencyHistogram();
    const pushMs: number[] = [];
    for (let i = 0; i < PUSHES; i++) {
      const nonce = `${mode}-${i}-${randomBytes(4).toString('hex')}`;
      const body = largeModule(FUNCTIONS, OPS_PER_FUNCTION, nonce);
      pinger.histogram.reset();
      const started = performance.now();
      const { status } = await putPolicy(server.port, token, `large${i}`, body);
      pushMs.push(performance.now() - started);
      if (status !== 200) throw new Error(`push answered ${status}`);
      during.merge(pinger.histogram.snapshot());
      pinger.histogram.reset();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    pinger.stop();
    return { mode, before, during, pushMs };
  } finally {
    await server.stop();
  }
}

function snapshotOf(h: LatencyHistogram): LatencyHistogram {
  const copy = new LatencyHistogram();
  copy.merge(h.snapshot());
  return copy;
}

async function main(): Promise<void> {
  const secret = randomBytes(32).toString('base64url');
  const size = largeModule(FUNCTIONS, OPS_PER_FUNCTION, 'x').byteLength;
  const startLoad = formatLoadAverage();
  const results = [await run('pool', secret), await run('inline', secret)];
  const ms = (us: number): string => (us / 1000).toFixed(2);
  console.log(`machine: ${formatMachineInfo(machineInfo())}; load before ${startLoad}`);
  console.log(
    `module: ${(size / 2 ** 20).toFixed(1)} MiB (${FUNCTIONS} functions), ${PUSHES} pushes per mode; ping every ${PING_EVERY_MS} ms`,
  );
  console.log(
    markdownTable(
      [
        'compile',
        'ping p50 idle (ms)',
        'ping p99 idle (ms)',
        'ping p50 during push (ms)',
        'ping p99 during push (ms)',
        'ping max during push (ms)',
        'push time, median (ms)',
      ],
      results.map((r) => [
        r.mode,
        ms(r.before.percentile(0.5)),
        ms(r.before.percentile(0.99)),
        ms(r.during.percentile(0.5)),
        ms(r.during.percentile(0.99)),
        ms(r.during.percentile(1)),
        [...r.pushMs].sort((a, b) => a - b)[Math.floor(r.pushMs.length / 2)]?.toFixed(0) ?? '',
      ]),
    ),
  );
}

await main();

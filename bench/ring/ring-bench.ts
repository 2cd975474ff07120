/*
 * Envelopes between two threads: the SAB ring (raw producer/consumer and through ThreadChannel)
 * against postMessage of a Uint8Array holding the same header + payload bytes.
 *
 *   npm run bench:ring            (build, then node dist/bench/ring/ring-bench.js)
 *   node dist/bench/ring/ring-bench.js --quick     (smaller counts, for a smoke run)
 *
 * Throughput: a producer thread sends as fast as the transport takes them, a consumer thread receives;
 * rate = count / (last receive - first send) on process.hrtime.bigint(), one clock for all threads.
 * Latency: the producer sends at a fixed moderate rate, stamping each envelope; the consumer sleeps
 * between envelopes (Atomics.waitAsync for the ring, port events for postMessage), as in production.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { allocateRingPair, SpscRing } from '../../src/transport/index.js';
import { median } from '../lib/index.js';
import type { BenchCommand, BenchReport, BenchWorkerData, Transport } from './bench-worker.js';

const QUICK = process.argv.includes('--quick');
const RING_BYTES = 1024 * 1024;
const REPEATS = QUICK ? 1 : 5;
const LATENCY_RATE = 5000;
const LATENCY_COUNT = QUICK ? 2000 : 6000;
const LATENCY_WARMUP = QUICK ? 200 : 1000;
const LATENCY_REPEATS = QUICK ? 1 : 3;

interface RunOptions {
  readonly transport: Transport;
  readonly payloadBytes: number;
  readonly count: number;
  readonly rate: number;
  readonly wait: 'sleep' | 'spin';
}

interface RunResult {
  readonly perSecond: number;
  /** Process CPU time (all threads, user + system) per envelope, from 'go' to the last receive. */
  readonly cpuNsPerEnvelope: number;
  readonly latencies: Float64Array | null;
}

class Probe {
  readonly #reports: BenchReport[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly worker: Worker;

  constructor(data: BenchWorkerData, transfer: MessagePort[]) {
    this.worker = new Worker(new URL('./bench-worker.js', import.meta.url), {
      workerData: data,
      transferList: transfer,
    });
    this.worker.on('message', (report: BenchReport) => {
      this.#reports.push(report);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.worker.on('error', (error) => {
      console.error('bench worker failed:', error);
      process.exit(1);
    });
  }

  async next<T extends BenchReport['type']>(type: T): Promise<Extract<BenchReport, { type: T }>> {
    for (;;) {
      const index = this.#reports.findIndex((r) => r.type === type);
      if (index !== -1)
        return this.#reports.splice(index, 1)[0] as Extract<BenchReport, { type: T }>;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

async function run(options: RunOptions): Promise<RunResult> {
  const { transport, count } = options;
  const ring = transport === 'ring' ? SpscRing.allocate(RING_BYTES) : null;
  const pair = transport === 'channel' ? allocateRingPair({ capacityBytes: RING_BYTES }) : null;
  const channel = transport === 'postMessage' ? new MessageChannel() : null;
  const shared = { transport, ring, pair, count };
  const consumer = new Probe(
    {
      role: 'consumer',
      ...shared,
      port: channel?.port2 ?? null,
      wait: options.wait,
      latency: options.rate > 0,
    },
    channel === null ? [] : [channel.port2],
  );
  const producer = new Probe(
    {
      role: 'producer',
      ...shared,
      port: channel?.port1 ?? null,
      payloadBytes: options.payloadBytes,
      rate: options.rate,
    },
    channel === null ? [] : [channel.port1],
  );
  await Promise.all([consumer.next('ready'), producer.next('ready')]);
  const go: BenchCommand = { type: 'go' };
  const cpuBefore = process.cpuUsage();
  producer.worker.postMessage(go);
  const started = await producer.next('started');
  const received = await consumer.next('received');
  const cpu = process.cpuUsage(cpuBefore);
  await Promise.all([producer.worker.terminate(), consumer.worker.terminate()]);
  if (received.count !== count) {
    console.error(`${transport}: received ${received.count} of ${count}`);
    process.exit(1);
  }
  const seconds = Number(received.at - started.at) / 1e9;
  return {
    perSecond: count / seconds,
    cpuNsPerEnvelope: ((cpu.user + cpu.system) * 1000) / count,
    latencies: received.latencies,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const fmtRate = (n: number): string =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${(n / 1e3).toFixed(0)} k/s`;
const fmtUs = (ns: number): string => (ns / 1000).toFixed(1);
const label: Record<Transport, string> = {
  ring: 'SAB ring (RingProducer/RingConsumer)',
  channel: 'SAB ring via ThreadChannel',
  postMessage: 'postMessage(Uint8Array)',
};

async function throughput(): Promise<string[]> {
  const rows = [
    `| transport | payload | envelopes/s (median of ${REPEATS}) | vs postMessage | CPU ns/envelope (both threads) |`,
    '|---|---|---|---|---|',
  ];
  const scale = QUICK ? 0.1 : 1;
  const plans: { payload: number; counts: Record<Transport, number> }[] = [
    { payload: 64, counts: { ring: 5_000_000, channel: 3_000_000, postMessage: 300_000 } },
    { payload: 1024, counts: { ring: 1_500_000, channel: 1_000_000, postMessage: 200_000 } },
  ];
  const transports = ['postMessage', 'ring', 'channel'] as const;
  for (const plan of plans) {
    const runs = { postMessage: [], ring: [], channel: [] } as Record<Transport, RunResult[]>;
    // Interleaved, so that a change in the machine's load hits every transport alike.
    for (let i = 0; i < REPEATS; i++) {
      for (const transport of transports) {
        const count = Math.round(plan.counts[transport] * scale);
        runs[transport].push(
          await run({ transport, payloadBytes: plan.payload, count, rate: 0, wait: 'sleep' }),
        );
      }
    }
    for (const transport of transports) {
      const rate = median(runs[transport].map((r) => r.perSecond));
      const ratios = runs[transport].map((r, i) => r.perSecond / runs.postMessage[i]!.perSecond);
      const cpu = median(runs[transport].map((r) => r.cpuNsPerEnvelope));
      rows.push(
        `| ${label[transport]} | ${plan.payload} B | ${fmtRate(rate)} | ${median(ratios).toFixed(1)}x | ${cpu.toFixed(0)} |`,
      );
      console.error(
        `  ${transport} ${plan.payload} B: ${runs[transport].map((r) => fmtRate(r.perSecond)).join(', ')}`,
      );
    }
  }
  return rows;
}

async function latency(): Promise<string[]> {
  const rows = [
    `| transport | consumer | payload | p50 us | p99 us | max us |`,
    '|---|---|---|---|---|---|',
  ];
  const plans: { transport: Transport; wait: 'sleep' | 'spin'; payload: number }[] = [];
  for (const payload of [64, 1024]) {
    plans.push({ transport: 'postMessage', wait: 'sleep', payload });
    plans.push({ transport: 'ring', wait: 'sleep', payload });
    plans.push({ transport: 'channel', wait: 'sleep', payload });
  }
  plans.push({ transport: 'ring', wait: 'spin', payload: 64 });
  const samples = plans.map(() => [] as Float64Array[]);
  // Interleaved repeats, samples pooled: a burst of load on the machine is shared out.
  for (let i = 0; i < LATENCY_REPEATS; i++) {
    for (const [index, plan] of plans.entries()) {
      const result = await run({
        transport: plan.transport,
        payloadBytes: plan.payload,
        count: LATENCY_COUNT,
        rate: LATENCY_RATE,
        wait: plan.wait,
      });
      samples[index]!.push(result.latencies!.slice(LATENCY_WARMUP));
    }
    console.error(`  latency round ${i + 1} of ${LATENCY_REPEATS} done`);
  }
  for (const [index, plan] of plans.entries()) {
    const parts = samples[index]!;
    const sorted = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      sorted.set(part, at);
      at += part.length;
    }
    sorted.sort();
    const consumer =
      plan.transport === 'postMessage'
        ? 'port events'
        : plan.wait === 'sleep'
          ? 'sleeps (waitAsync)'
          : '**SPIN (burns a core; not production)**';
    rows.push(
      `| ${label[plan.transport]} | ${consumer} | ${plan.payload} B | ${fmtUs(percentile(sorted, 0.5))} | ` +
        `${fmtUs(percentile(sorted, 0.99))} | ${fmtUs(sorted[sorted.length - 1]!)} |`,
    );
  }
  return rows;
}

const load = loadavg()
  .map((n) => n.toFixed(2))
  .join(' ');
console.error(`ring-bench${QUICK ? ' (quick)' : ''}: throughput...`);
const throughputRows = await throughput();
console.error('latency...');
const latencyRows = await latency();
console.log(
  [
    `Machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${availableParallelism()} cores, Node ${process.version}, ` +
      `load average at start ${load}`,
    `Command: node dist/bench/ring/ring-bench.js${QUICK ? ' --quick' : ''} (npm run bench:ring)`,
    `Ring ${RING_BYTES / 1024} KiB per direction, 32-byte header, empty key; the consumer gets the payload as a Uint8Array.`,
    '',
    '### Throughput (producer thread -> consumer thread, saturated)',
    '',
    ...throughputRows,
    '',
    `### Latency (send -> handler, ${LATENCY_RATE} envelopes/s; ${LATENCY_REPEATS} interleaved runs of ` +
      `${LATENCY_COUNT}, the first ${LATENCY_WARMUP} of each dropped as warm-up, the rest pooled)`,
    '',
    ...latencyRows,
  ].join('\n'),
);

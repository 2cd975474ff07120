/*
 * `npm run bench:durable`: what durability costs. One nats-server with JetStream serves every
 * case; each ArqonBus node runs with `--nats`, and the durable variant adds `--durable-rooms '>'`,
 * so the only difference between the two is that the rooms are stored.
 *
 *   node dist/bench/durable/durable-bench.js [--rounds 2] [--seconds 10] [--warmup 3] [--rate 1000]
 *       [--generators 2] [--throughput-seconds 5] [--in-flight 100] [--recover 10000] [--quick]
 *       [--no-wait] [--max-load 1.0] [--retries 2] [--json FILE]
 *
 * 1. Fan-out, paired per round: 10 rooms x 10 members at 1000 publishes/s, in-memory against
 *    durable: CPU per delivery (the node alone, and with nats-server's CPU, which stores the
 *    messages) and p50/p99 publish-to-delivery (bench:fanout's harness and generators).
 * 2. Publish throughput: one connection keeps `--in-flight` publishes with refs outstanding, into
 *    one room and into ten; a durable `ok` waits for JetStream.
 * 3. Recovery: `--recover` messages published to a durable room, then a client that missed them
 *    joins with `since` and waits for the last: on the node that took them (its window) and on a
 *    fresh node after that one stopped (read back from JetStream).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NatsProcess } from '../cluster/index.js';
import {
  DEFAULT_CASE_QUIET_WAIT_MS,
  DEFAULT_CASE_RETRIES,
  type FanoutResult,
  fanoutAnomalies,
  fanoutTable,
  runUndisturbedCase,
  SMALL_ROOMS_SHAPE,
} from '../fanout/index.js';
import {
  formatLoadAverage,
  numberFlag,
  parseBenchServer,
  runFromFrozenBuild,
  runHeader,
  startBenchServer,
  waitForQuiet,
} from '../lib/index.js';
import {
  type DurablePair,
  durableVerdict,
  pairTable,
  recoveryTable,
  throughputTable,
} from './durable-report.js';
import { measureThroughput, type ThroughputResult } from './publish-throughput.js';
import { measureRecovery, type RecoveryResult } from './recovery-case.js';

await runFromFrozenBuild(import.meta.url);

const CLIENT_TIMEOUT_MS = 30_000;
const SERVER = parseBenchServer('arqon-w1');

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    generators: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    'throughput-seconds': { type: 'string', default: '5' },
    'in-flight': { type: 'string', default: '100' },
    recover: { type: 'string', default: '10000' },
    quick: { type: 'boolean', default: false },
    'no-wait': { type: 'boolean', default: false },
    'max-load': { type: 'string', default: '1.0' },
    retries: { type: 'string', default: String(DEFAULT_CASE_RETRIES) },
    json: { type: 'string' },
  },
});

const log = (line: string): void => console.error(line);
/** 10 rooms of 10: the small-rooms fan-out at the 1000 publishes/s. */
const shape = {
  ...SMALL_ROOMS_SHAPE,
  name: 'rooms10',
  rooms: 10,
  rate: numberFlag('rate', values.rate, { min: 1, integer: true }),
};
const windowMs =
  (values.quick ? 3 : numberFlag('seconds', values.seconds, { min: 1, integer: false })) * 1000;
const warmupMs =
  (values.quick ? 1 : numberFlag('warmup', values.warmup, { min: 0, integer: false })) * 1000;
const generators = numberFlag('generators', values.generators, { min: 1, integer: true });
const rounds = values.quick ? 1 : numberFlag('rounds', values.rounds, { min: 1, integer: true });
const throughputSeconds = values.quick
  ? 2
  : numberFlag('throughput-seconds', values['throughput-seconds'], { min: 1, integer: false });
const inFlight = numberFlag('in-flight', values['in-flight'], { min: 1, integer: true });
const recover = numberFlag('recover', values.recover, { min: 1, integer: true });
const undisturbed = {
  retries: values['no-wait'] ? 0 : numberFlag('retries', values.retries, { min: 0, integer: true }),
  quietWaitMs: DEFAULT_CASE_QUIET_WAIT_MS,
};

const quiet = values['no-wait']
  ? null
  : await waitForQuiet({
      maxLoad: numberFlag('max-load', values['max-load'], { min: 0.01, integer: false }),
      log,
    });
const startLoad = formatLoadAverage();
const secret = randomBytes(32).toString('base64url');
const storeDir = mkdtempSync(join(tmpdir(), 'arq-bench-durable-'));
const nats = await NatsProcess.start({ jetStreamDir: storeDir });
const variants = [
  { room: 'in-memory', args: ['--nats', nats.url] },
  { room: 'durable', args: ['--nats', nats.url, '--durable-rooms', '>'] },
] as const;

const results: FanoutResult[] = [];
const pairs: DurablePair[] = [];
const throughput: { room: string; result: ThroughputResult }[] = [];
let recovery: RecoveryResult | null = null;
try {
  for (let round = 1; round <= rounds; round++) {
    const measured: FanoutResult[] = [];
    for (const variant of variants) {
      log(`fan-out: ${variant.room}, round ${round}`);
      const result = await runUndisturbedCase(
        {
          server: SERVER,
          shape,
          generators,
          warmupMs,
          windowMs,
          secret,
          profile: false,
          text: null,
          prepare: { label: `${variant.room} rooms`, run: async () => {} },
          arqonArgs: variant.args,
          companions: [nats.pid],
          log,
        },
        undisturbed,
      );
      measured.push({ ...result, round });
    }
    results.push(...measured);
    pairs.push({ round, memory: measured[0]!, durable: measured[1]! });
  }
  for (const variant of variants) {
    for (const rooms of [1, 10]) {
      log(`throughput: ${variant.room}, ${rooms} room(s)`);
      const server = await startBenchServer(SERVER, { secret, arqonArgs: variant.args });
      try {
        const result = await measureThroughput({
          port: server.port,
          secret,
          rooms: Array.from(
            { length: rooms },
            (_, i) => `throughput-${variant.room}-${rooms}-${i}`,
          ),
          inFlight,
          seconds: throughputSeconds,
          timeoutMs: CLIENT_TIMEOUT_MS,
          serverPid: server.pid,
          natsPid: nats.pid,
        });
        throughput.push({ room: variant.room, result });
      } finally {
        await server.stop();
      }
    }
  }
  log(`recovery: ${recover} messages`);
  recovery = await measureRecovery({
    secret,
    room: `recover-${randomBytes(4).toString('hex')}`,
    messages: recover,
    timeoutMs: CLIENT_TIMEOUT_MS,
    startNode: () => startBenchServer(SERVER, { secret, arqonArgs: variants[1].args }),
    log,
  });
} finally {
  await nats.stop();
  rmSync(storeDir, { recursive: true, force: true });
}

const out = [
  ...runHeader('dist/bench/durable/durable-bench.js', startLoad, quiet),
  `Fan-out: ${shape.rooms} rooms x ${shape.members} members at ${shape.rate} publishes/s; window ${windowMs / 1000} s after ${warmupMs / 1000} s warm-up; ${generators} generator processes; ${rounds} round(s). Every node runs with --nats (one nats-server with JetStream, whose CPU is counted apart); the durable variant adds --durable-rooms '>'.`,
  '',
  fanoutTable(results),
  '',
  pairTable(pairs),
  '',
  `Publish throughput: one connection, ${inFlight} publishes with refs in flight, ${throughputSeconds} s per row.`,
  '',
  throughputTable(throughput),
  '',
  ...(recovery === null ? [] : [recoveryTable(recovery), '']),
  ...fanoutAnomalies(results).map((line) => `- ${line}`),
  ...durableVerdict(pairs, recovery).map((line) => `- ${line}`),
];
console.log(out.join('\n'));
if (values.json !== undefined)
  writeFileSync(values.json, JSON.stringify({ results, throughput, recovery }, null, 2));

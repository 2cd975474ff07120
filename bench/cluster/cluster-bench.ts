/*
 * Cluster: a nats-server and 3 `arq start --nats` node processes on this machine, one room with
 * members on every node. Peak deliveries/s (open-loop ramp of the offered publish rate), then a
 * window at half of peak: deliveries/s, same-node and cross-node latency, CPU of every process;
 * then presence convergence (a fresh join, seen on every node).
 *
 *   npm run bench:cluster          (build, then node dist/bench/cluster/cluster-bench.js)
 *   node dist/bench/cluster/cluster-bench.js [--nodes 3] [--members 100] [--workers 1]
 *       [--seconds 10] [--warmup 3] [--step-seconds 2] [--ramp-start 30] [--ramp-factor 1.5]
 *       [--ramp-max 20000] [--runaway-ms 100] [--rate N] [--probes 50]
 *       [--presence-broadcast-ms N] [--quick] [--no-wait] [--max-load 1.0] [--quiet-wait-min 20]
 *       [--retries 2] [--json FILE]
 *
 * --rate N skips the ramp and measures the window at N publishes/s. --presence-broadcast-ms is
 * passed to the nodes only when given; otherwise they run with the default. --quick: 20 members
 * per node, 1 s ramp steps, a 3 s window after 1 s, 10 probes. The bench waits (up to
 * --quiet-wait-min) for a quiet machine first; the half-peak window waits for an idle machine again
 * and is measured again (up to --retries times) when other processes used more than a quarter core
 * in it; so is each ramp step. --no-wait: no waiting, no retries.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_PRESENCE_BROADCAST_MS } from '../../src/config/index.js';
import {
  BENCH_TENANT,
  BenchError,
  formatLoadAverage,
  GeneratorHandle,
  numberFlag,
  runFromFrozenBuild,
  runHeader,
  stopGenerators,
  waitForQuiet,
} from '../lib/index.js';
import type { ClusterCommand, ClusterReport } from './cluster-messages.js';
import { measurePresence, type PresenceResult } from './cluster-presence.js';
import { MIN_DELIVERED_SHARE, type RampResult, rampToPeak } from './cluster-ramp.js';
import {
  clusterVerdict,
  cpuTable,
  pairTable,
  presenceTable,
  rampTable,
  windowAnomalies,
  windowTable,
} from './cluster-report.js';
import type { ClusterGenerator, WindowResult, WindowTarget } from './cluster-window.js';
import { LocalCluster } from './local-cluster.js';
import {
  DEFAULT_WINDOW_QUIET_WAIT_MS,
  DEFAULT_WINDOW_RETRIES,
  MAX_OTHER_CORES,
  measureUndisturbedWindow,
} from './undisturbed-window.js';

await runFromFrozenBuild(import.meta.url);

const ROOM = 'cluster-bench';
const SETUP_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
const CLIENT_TIMEOUT_MS = 10_000;
const CONNECT_CONCURRENCY = 20;
/** After the last join: let join bursts and presence broadcasts die down before publishing. */
const SETTLE_MS = 2_000;
/** Deliveries of messages sent in a window are still counted this long after it. */
const GRACE_MS = 1_000;
const RAMP_SETTLE_MS = 1_000;
const DRAIN_MS = 1_000;

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    members: { type: 'string', default: '100' },
    workers: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'step-seconds': { type: 'string', default: '2' },
    'ramp-start': { type: 'string', default: '30' },
    'ramp-factor': { type: 'string', default: '1.5' },
    'ramp-max': { type: 'string', default: '20000' },
    'runaway-ms': { type: 'string', default: '100' },
    rate: { type: 'string' },
    probes: { type: 'string', default: '50' },
    'presence-broadcast-ms': { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-wait': { type: 'boolean', default: false },
    'max-load': { type: 'string', default: '1.0' },
    'quiet-wait-min': { type: 'string', default: '20' },
    retries: { type: 'string', default: String(DEFAULT_WINDOW_RETRIES) },
    json: { type: 'string' },
  },
});

const log = (line: string): void => console.error(line);
const quick = values.quick;
const nodes = numberFlag('nodes', values.nodes, { min: 1, integer: true });
const members = quick ? 20 : numberFlag('members', values.members, { min: 2, integer: true });
const workers = numberFlag('workers', values.workers, { min: 1, integer: true });
const windowMs =
  (quick ? 3 : numberFlag('seconds', values.seconds, { min: 1, integer: false })) * 1000;
const warmupMs =
  (quick ? 1 : numberFlag('warmup', values.warmup, { min: 0, integer: false })) * 1000;
const stepMs =
  (quick ? 1 : numberFlag('step-seconds', values['step-seconds'], { min: 0.5, integer: false })) *
  1000;
const rampStart = numberFlag('ramp-start', values['ramp-start'], { min: 1, integer: true });
const rampFactor = numberFlag('ramp-factor', values['ramp-factor'], { min: 1.05, integer: false });
const rampMax = numberFlag('ramp-max', values['ramp-max'], { min: rampStart, integer: true });
const runawayUs = numberFlag('runaway-ms', values['runaway-ms'], { min: 1, integer: false }) * 1000;
const fixedRate =
  values.rate === undefined ? null : numberFlag('rate', values.rate, { min: 1, integer: false });
const probes = quick ? 10 : numberFlag('probes', values.probes, { min: 1, integer: true });
const broadcastFlag = values['presence-broadcast-ms'];
const broadcastMs =
  broadcastFlag === undefined
    ? DEFAULT_PRESENCE_BROADCAST_MS
    : numberFlag('presence-broadcast-ms', broadcastFlag, { min: 10, integer: true });
const retries = values['no-wait']
  ? 0
  : numberFlag('retries', values.retries, { min: 0, integer: true });
const quietWaitMs =
  numberFlag('quiet-wait-min', values['quiet-wait-min'], { min: 0, integer: false }) * 60_000;

const quiet = values['no-wait']
  ? null
  : await waitForQuiet({
      maxLoad: numberFlag('max-load', values['max-load'], { min: 0.01, integer: false }),
      maxWaitMs: quietWaitMs,
      log,
    });
const startLoad = formatLoadAverage();
const secret = randomBytes(32).toString('base64url');

log(`starting nats-server and ${nodes} nodes`);
const cluster = await LocalCluster.start({
  nodes,
  secret,
  workers,
  extraFlags: broadcastFlag === undefined ? [] : ['--presence-broadcast-ms', String(broadcastMs)],
  log,
});
const generators: ClusterGenerator[] = [];
let ramp: RampResult | null = null;
let halfRate = 0;
let half: WindowResult | null = null;
let halfAttempts = 0;
let presence: PresenceResult | null = null;
try {
  const script = fileURLToPath(new URL('./cluster-generator.js', import.meta.url));
  for (let i = 0; i < nodes; i++)
    generators.push(
      GeneratorHandle.fork<ClusterCommand, ClusterReport>(script, `generator ${i + 1}`),
    );
  for (const [i, generator] of generators.entries())
    generator.send({
      type: 'setup',
      url: cluster.urls[i]!,
      node: i,
      nodes,
      secret,
      tenant: BENCH_TENANT,
      room: ROOM,
      members,
      concurrency: CONNECT_CONCURRENCY,
      timeoutMs: CLIENT_TIMEOUT_MS,
    });
  const ready = await Promise.all(generators.map((g) => g.next('ready', SETUP_TIMEOUT_MS)));
  log(
    `  ${ready.reduce((n, r) => n + r.clients, 0)} members joined ` +
      `(${ready.reduce((n, r) => n + r.retries, 0)} attempts retried)`,
  );
  await sleep(SETTLE_MS);
  const target: WindowTarget = {
    generators,
    nodePids: cluster.nodePids,
    natsPid: cluster.natsPid,
    membersPerNode: members,
  };
  if (fixedRate === null) {
    ramp = await rampToPeak(target, {
      startRate: rampStart,
      factor: rampFactor,
      maxRate: rampMax,
      settleMs: RAMP_SETTLE_MS,
      drainMs: DRAIN_MS,
      windowMs: stepMs,
      graceMs: GRACE_MS,
      runawayUs,
      disturbedRetries: retries,
      quietWaitMs: DEFAULT_WINDOW_QUIET_WAIT_MS,
      log,
    });
    if (ramp.peak === null)
      throw new BenchError(
        'ARQ_ERR_BENCH_SERVER',
        `no ramp step passed, even at ${rampStart} pub/s`,
      );
  }
  halfRate = fixedRate ?? Math.max(1, Math.round(ramp!.peak!.offeredRate / 2));
  log(`  window: ${halfRate} pub/s for ${windowMs / 1000} s after ${warmupMs / 1000} s`);
  const measured = await measureUndisturbedWindow(target, {
    rate: halfRate,
    warmupMs,
    windowMs,
    graceMs: GRACE_MS,
    drainMs: DRAIN_MS,
    retries,
    quietWaitMs: DEFAULT_WINDOW_QUIET_WAIT_MS,
    log,
  });
  half = measured.result;
  halfAttempts = measured.attempts;
  presence = await measurePresence(generators, {
    probes,
    broadcastMs,
    seenTimeoutMs: Math.max(5_000, 10 * broadcastMs),
    log,
  });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  log(`cluster bench failed: ${message}\n${cluster.outputTails}`);
  process.exitCode = 1;
} finally {
  await stopGenerators(generators, STOP_TIMEOUT_MS);
  await cluster.stop(log);
}

const room = nodes * members;
const out = [
  ...runHeader('dist/bench/cluster/cluster-bench.js', startLoad, quiet),
  `Cluster: nats-server + ${nodes} nodes (\`arq start --nats\`, --workers ${workers}, raised limits), presence broadcast every ${broadcastMs} ms${broadcastFlag === undefined ? ' (the default)' : ''}; one room of ${room} members (${members} per node, each node's first member publishes), ${nodes} generator processes (one per node)`,
  `Latency = receive time - send time (process.hrtime, CLOCK_MONOTONIC); same-node: receiver on the publisher's node; counts by send time within each window, arrivals up to ${GRACE_MS} ms after it`,
];
if (ramp !== null)
  out.push(
    '',
    `### Ramp (open loop, ${stepMs / 1000} s window per step after ${RAMP_SETTLE_MS / 1000} s; stops when < ${MIN_DELIVERED_SHARE * 100}% of offered deliveries arrive or p99 > ${runawayUs / 1000} ms, twice in a row; a step other processes used > ${MAX_OTHER_CORES * 100}% of a core in is measured again, up to ${retries} times)`,
    '',
    rampTable(ramp, room),
  );
if (half !== null)
  out.push(
    '',
    `### At ${fixedRate === null ? 'half of peak' : 'the given rate'}: ${halfRate} pub/s, ${windowMs / 1000} s window after ${warmupMs / 1000} s`,
    '',
    windowTable(halfRate, half),
    '',
    cpuTable(half),
    '',
    pairTable(half),
    '',
    ...windowAnomalies('window', half).map((line) => `- ${line}`),
    ...(halfAttempts > 1
      ? [
          `- window: measured ${halfAttempts} times (other processes disturbed the earlier windows); the last is shown`,
        ]
      : []),
  );
if (presence !== null)
  out.push(
    '',
    `### Presence convergence (idle room; a fresh client joins on each node in turn; time from its join frame to the first presence_diff listing it, on each node)`,
    '',
    presenceTable(presence, broadcastMs),
  );
out.push('', ...clusterVerdict(half, presence, broadcastMs).map((line) => `- ${line}`));
console.log(out.join('\n'));
if (values.json !== undefined)
  writeFileSync(
    values.json,
    JSON.stringify({ nodes, members, broadcastMs, ramp, halfRate, half, presence }, null, 2),
  );

/*
 * Fan-out: CPU per delivery and publish-to-delivery latency at a FIXED offered rate, ArqonBus against
 * a bare uWS.js pub/sub server (the limit of the stack) and Socket.IO 4, in the same run and harness.
 *
 *   npm run bench:fanout          (build, then node dist/bench/fanout/fanout-bench.js)
 *   node dist/bench/fanout/fanout-bench.js [--servers arqon-w1,arqon-w2,bare-uws,socketio]
 *       [--shapes large,small] [--seconds 10] [--warmup 3] [--generators 2] [--quick]
 *       [--rounds 1] [--no-wait] [--max-load 1.0] [--retries 2] [--profile [--profile-dir DIR]]
 *       [--json FILE] [--other-node PATH]
 *
 * Each case: the server in its own process, generators (forked processes, RawWsSocket or
 * socket.io-client) connect and join, publish at the shape's rate, warm up, then one window is
 * measured: deliveries and latency in the generators, server user/system CPU from /proc/PID/stat,
 * generator CPU from process.cpuUsage. CPU per delivery = server CPU in the window / deliveries in
 * the window.
 * The bench waits for a quiet machine (1-min load < --max-load), then before each case for >= 90%
 * idle; a case whose window other processes used more than a quarter core in is measured again, up
 * to --retries times (--no-wait: no waiting, no retries). The "other CPU" column shows what is left.
 * --rounds N: every case N times, round after round (so each ArqonBus case has its bare uWS case
 * minutes apart, not a whole run apart); the verdict gives each round's figure and their median.
 * --profile: afterwards, ArqonBus runs each shape again with every thread CPU-profiled (through its
 * inspector) during the window only, and the hottest functions are printed; --profile-dir also
 * writes the .cpuprofile files (open them in Chrome DevTools). Profiled figures are not in the table.
 * --other-node PATH: servers named with `@other` (`arqon-w1@other,bare-uws@other`) run on that Node
 * binary, the generators stay on this one; each is compared with the peer on its own Node.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BenchError,
  type BenchServerSpec,
  benchNodeAt,
  benchServerLabel,
  formatLoadAverage,
  numberFlag,
  parseBenchServer,
  runFromFrozenBuild,
  runHeader,
  waitForQuiet,
} from '../lib/index.js';
import type { FanoutResult } from './fanout-case.js';
import { fanoutAnomalies, fanoutTable, fanoutVerdict } from './fanout-report.js';
import { FANOUT_SHAPES } from './fanout-shapes.js';
import { profileReport } from './profile-report.js';
import {
  DEFAULT_CASE_QUIET_WAIT_MS,
  DEFAULT_CASE_RETRIES,
  runUndisturbedCase,
} from './undisturbed-case.js';

await runFromFrozenBuild(import.meta.url);

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'arqon-w1,arqon-w2,bare-uws,socketio' },
    shapes: { type: 'string', default: FANOUT_SHAPES.map((s) => s.name).join(',') },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    generators: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
    'no-wait': { type: 'boolean', default: false },
    'max-load': { type: 'string', default: '1.0' },
    retries: { type: 'string', default: String(DEFAULT_CASE_RETRIES) },
    profile: { type: 'boolean', default: false },
    'profile-dir': { type: 'string' },
    json: { type: 'string' },
    'other-node': { type: 'string' },
  },
});

const log = (line: string): void => console.error(line);
const otherNode = values['other-node'] === undefined ? null : benchNodeAt(values['other-node']);
const servers: BenchServerSpec[] = values.servers
  .split(',')
  .map((name) => parseBenchServer(name, otherNode));
const shapes = values.shapes.split(',').map((name) => {
  const shape = FANOUT_SHAPES.find((s) => s.name === name);
  if (shape === undefined)
    throw new BenchError(
      'ARQ_ERR_BENCH_OPTIONS',
      `unknown shape "${name}": ${FANOUT_SHAPES.map((s) => s.name).join(', ')}`,
    );
  return shape;
});
const windowMs =
  (values.quick ? 3 : numberFlag('seconds', values.seconds, { min: 1, integer: false })) * 1000;
const warmupMs =
  (values.quick ? 1 : numberFlag('warmup', values.warmup, { min: 0, integer: false })) * 1000;
const generators = numberFlag('generators', values.generators, { min: 1, integer: true });
const rounds = numberFlag('rounds', values.rounds, { min: 1, integer: true });
const profileDir = values['profile-dir'];
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
const results: FanoutResult[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const shape of shapes) {
    for (const server of servers) {
      log(
        `case: ${benchServerLabel(server)}, ${shape.name}${rounds > 1 ? `, round ${round}` : ''}`,
      );
      const result = await runUndisturbedCase(
        {
          server,
          shape,
          generators,
          warmupMs,
          windowMs,
          secret,
          profile: false,
          arqonArgs: [],
          companions: [],
          text: null,
          prepare: null,
          log,
        },
        undisturbed,
      );
      results.push({ ...result, round });
    }
  }
}

// Profiled runs come after, apart: the profiler's own cost must not reach the table above.
const profiled: FanoutResult[] = [];
if (values.profile) {
  for (const shape of shapes) {
    for (const server of servers.filter((s) => s.kind === 'arqon')) {
      log(`profiled case: ${benchServerLabel(server)}, ${shape.name}`);
      profiled.push(
        await runUndisturbedCase(
          {
            server,
            shape,
            generators,
            warmupMs,
            windowMs,
            secret,
            profile: true,
            arqonArgs: [],
            companions: [],
            text: null,
            prepare: null,
            log,
          },
          undisturbed,
        ),
      );
    }
  }
}

const out = [
  ...runHeader('dist/bench/fanout/fanout-bench.js', startLoad, quiet),
  `Window ${windowMs / 1000} s after ${warmupMs / 1000} s warm-up; ${generators} generator processes; CPU per delivery = server CPU in the window / deliveries in the window; server, generator and other CPU in % of one core over the window, "other" being whatever else ran on the machine (the bench's own coordinator excluded)`,
  '',
  fanoutTable(results),
  '',
  ...fanoutAnomalies(results).map((line) => `- ${line}`),
  ...fanoutVerdict(results).map((line) => `- ${line}`),
  ...profiled.flatMap((r) => profileReport(r, profileDir)),
];
console.log(out.join('\n'));
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(results, null, 2));

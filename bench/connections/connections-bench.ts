/*
 * Connections: resident memory per idle, authenticated connection joined to one room (rooms of 100),
 * ArqonBus against a bare uWS.js server and Socket.IO 4, in the same run.
 *
 *   npm run bench:connections     (build, then node dist/bench/connections/connections-bench.js)
 *   node dist/bench/connections/connections-bench.js [--servers arqon-w1,bare-uws,socketio]
 *       [--counts 10000,18000] [--socketio-counts 10000] [--settle 5] [--quick] [--no-wait]
 *       [--max-load 1.0] [--json FILE]
 *
 * The server's VmRSS (/proc/PID/status) is read before any connection, then after each count is
 * connected, joined and idle for --settle seconds; per connection = (after - before) / count. Both
 * readings are repeated right after a full GC requested through the server's inspector (the server
 * runs with --inspect on a free port), to tell live memory from set-up garbage. The
 * clients live in generator processes of at most 5,000 sockets each, each from its own 127.0.0.x.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type BenchServerSpec,
  benchServerLabel,
  formatLoadAverage,
  numberFlag,
  numberListFlag,
  parseBenchServer,
  runFromFrozenBuild,
  runHeader,
  waitForQuiet,
} from '../lib/index.js';
import { type ConnectionsResult, ROOM_SIZE, runConnectionsCase } from './connections-case.js';
import { connectionsTable, connectionsVerdict } from './connections-report.js';

await runFromFrozenBuild(import.meta.url);

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'arqon-w1,bare-uws,socketio' },
    counts: { type: 'string', default: '10000,18000' },
    'socketio-counts': { type: 'string', default: '10000' },
    settle: { type: 'string', default: '5' },
    quick: { type: 'boolean', default: false },
    'no-wait': { type: 'boolean', default: false },
    'max-load': { type: 'string', default: '1.0' },
    json: { type: 'string' },
  },
});

const log = (line: string): void => console.error(line);
const servers: BenchServerSpec[] = values.servers.split(',').map((name) => parseBenchServer(name));
const countRule = { min: 1, integer: true };
const counts = values.quick ? [2000] : numberListFlag('counts', values.counts, countRule);
const socketioCounts = values.quick
  ? [2000]
  : numberListFlag('socketio-counts', values['socketio-counts'], countRule);
const settleMs = numberFlag('settle', values.settle, { min: 0, integer: false }) * 1000;

const quiet = values['no-wait']
  ? null
  : await waitForQuiet({
      maxLoad: numberFlag('max-load', values['max-load'], { min: 0.01, integer: false }),
      log,
    });
const startLoad = formatLoadAverage();
const secret = randomBytes(32).toString('base64url');
const results: ConnectionsResult[] = [];
for (const server of servers) {
  log(`case: ${benchServerLabel(server)}`);
  results.push(
    ...(await runConnectionsCase({
      server,
      counts: server.kind === 'socketio' ? socketioCounts : counts,
      settleMs,
      secret,
      log,
    })),
  );
}

console.log(
  [
    ...runHeader('dist/bench/connections/connections-bench.js', startLoad, quiet),
    `Each connection authenticated (ArqonBus: HS256 JWT) and joined to one room of ${ROOM_SIZE}; RSS read ${settleMs / 1000} s after the last join; "full GC" columns: the same baseline and reading each right after a full GC of the server's main thread, requested through its inspector (worker threads are not collected)`,
    '',
    connectionsTable(results),
    '',
    ...connectionsVerdict(results).map((line) => `- ${line}`),
  ].join('\n'),
);
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(results, null, 2));

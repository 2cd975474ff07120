/*
 * Presence: N members joining ONE presence room (every member sees every other), one ArqonBus node
 * with one shard worker, or (--nodes 3) a local cluster of such nodes on one nats-server. How long
 * until every member's view, applied as the SDK applies it, holds
 * N entries; how many presence frames and bytes that took; the node's RSS per member; and how long a
 * late joiner waits for its presence_state of N entries.
 *
 *   npm run bench:presence        (build, then node dist/bench/presence/presence-bench.js)
 *   node dist/bench/presence/presence-bench.js [--members 10000] [--nodes 1] [--coalesce 50]
 *       [--uncoalesced-members 2000] [--timeout 120] [--quick] [--no-wait] [--max-load 1.0]
 *
 * Each case runs with `--presence-coalesce-ms` set to one of --coalesce; --uncoalesced-members
 * adds a case with coalescing off (0) at a size where one diff per join still finishes (0: none).
 * Members live in generator processes of up to 5,000 sockets each (at least one per node, generator
 * g joining node g mod nodes), each from its own 127.0.0.x; one member
 * in 100 (and each generator's last) keeps a full view, the others count frames and bytes.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  formatLoadAverage,
  numberFlag,
  numberListFlag,
  runFromFrozenBuild,
  runHeader,
  waitForQuiet,
} from '../lib/index.js';
import { type PresenceResult, runPresenceCase, SAMPLE_EVERY } from './presence-case.js';
import { presenceTable } from './presence-report.js';

await runFromFrozenBuild(import.meta.url);

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '10000' },
    nodes: { type: 'string', default: '1' },
    coalesce: { type: 'string', default: '50' },
    'uncoalesced-members': { type: 'string', default: '2000' },
    timeout: { type: 'string', default: '120' },
    quick: { type: 'boolean', default: false },
    'no-wait': { type: 'boolean', default: false },
    'max-load': { type: 'string', default: '1.0' },
  },
});

const log = (line: string): void => console.error(line);
const members = values.quick
  ? 1000
  : numberFlag('members', values.members, { min: 2, integer: true });
const nodes = numberFlag('nodes', values.nodes, { min: 1, integer: true });
const coalesce = numberListFlag('coalesce', values.coalesce, { min: 1, integer: true });
const uncoalesced = values.quick
  ? 500
  : numberFlag('uncoalesced-members', values['uncoalesced-members'], { min: 0, integer: true });
const convergeTimeoutMs = numberFlag('timeout', values.timeout, { min: 1, integer: false }) * 1000;

const quiet = values['no-wait']
  ? null
  : await waitForQuiet({
      maxLoad: numberFlag('max-load', values['max-load'], { min: 0.01, integer: false }),
      log,
    });
const startLoad = formatLoadAverage();
const secret = randomBytes(32).toString('base64url');
const cases = [
  ...coalesce.map((coalesceMs) => ({ members, nodes, coalesceMs })),
  ...(uncoalesced > 0 ? [{ members: uncoalesced, nodes, coalesceMs: 0 }] : []),
];
const results: PresenceResult[] = [];
for (const c of cases) {
  log(`case: ${c.members} members, ${c.nodes} node(s), presence-coalesce-ms ${c.coalesceMs}`);
  results.push(await runPresenceCase({ ...c, convergeTimeoutMs, secret, log }));
}

console.log(
  [
    ...runHeader('dist/bench/presence/presence-bench.js', startLoad, quiet),
    `${nodes === 1 ? 'One node' : `${nodes} nodes on one nats-server, members spread evenly,`} (1 shard worker each), every member joins one room with presence; "converged": every sampled view (1 in ${SAMPLE_EVERY} members, applied as src/client's Presence does) holds all members, counted from the first join; frames and bytes: every presence_state and presence_diff every member received, per second from the first join to the last presence frame; "bound/s": members x (1000 / coalesce ms); RSS per member: node VmRSS (summed over the nodes) once converged minus before, over members, and again after 10 s idle; "of which JS": V8 heap used plus external memory (/metrics) after the idle minus before, over members (the rest is native: uWS socket buffers, malloc)`,
    '',
    presenceTable(results),
  ].join('\n'),
);

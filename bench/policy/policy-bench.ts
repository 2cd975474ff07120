/*
 * `npm run bench:policy`: what safety policies cost on the publish path. The small-rooms fan-out
 * shape (100 rooms x 10 members, 5000 publishes/s) against one ArqonBus node, once with no policy,
 * once with `pii-redact`, once with three `on_publish` policies chained (pii-redact, deny-words,
 * room-firewall), and once with `pii-redact` rewriting every message, round after round so each
 * variant is compared with the no-policy case of its own round.
 *
 *   node dist/bench/policy/policy-bench.js [--servers arqon-w1] [--rounds 3] [--seconds 10]
 *       [--warmup 3] [--generators 2] [--rate 5000] [--quick] [--no-wait] [--max-load 1.0]
 *       [--retries 2] [--variants none,pii-redact,chain3,pii-rewrite] [--json FILE]
 *
 * Every message carries a sentence in `data.text` (the policies read string values; `{"t":..}`
 * alone would give them nothing to scan). The harness, CPU accounting and latency are bench:fanout's.
 * Cost per hook call = (server CPU per publish with the policies - without) / hooks per publish.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type CasePreparation,
  DEFAULT_CASE_QUIET_WAIT_MS,
  DEFAULT_CASE_RETRIES,
  type FanoutResult,
  fanoutAnomalies,
  fanoutTable,
  runUndisturbedCase,
  SMALL_ROOMS_SHAPE,
} from '../fanout/index.js';
import {
  BenchError,
  type BenchServerSpec,
  benchServerLabel,
  formatLoadAverage,
  numberFlag,
  parseBenchServer,
  runFromFrozenBuild,
  runHeader,
  waitForQuiet,
} from '../lib/index.js';
import { type PolicyCase, policyVerdict } from './policy-report.js';
import { POLICY_VARIANTS, pushPolicies } from './policy-variants.js';

await runFromFrozenBuild(import.meta.url);

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'arqon-w1' },
    variants: { type: 'string', default: POLICY_VARIANTS.map((v) => v.name).join(',') },
    rate: { type: 'string', default: String(SMALL_ROOMS_SHAPE.rate) },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    generators: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    'no-wait': { type: 'boolean', default: false },
    'max-load': { type: 'string', default: '1.0' },
    retries: { type: 'string', default: String(DEFAULT_CASE_RETRIES) },
    json: { type: 'string' },
  },
});

const log = (line: string): void => console.error(line);
const servers: BenchServerSpec[] = values.servers.split(',').map((name) => parseBenchServer(name));
for (const server of servers)
  if (server.kind !== 'arqon')
    throw new BenchError(
      'ARQ_ERR_BENCH_OPTIONS',
      `--servers: only ArqonBus runs policies, got ${benchServerLabel(server)}`,
    );
const variants = values.variants.split(',').map((name) => {
  const variant = POLICY_VARIANTS.find((v) => v.name === name);
  if (variant === undefined)
    throw new BenchError(
      'ARQ_ERR_BENCH_OPTIONS',
      `--variants: unknown "${name}": ${POLICY_VARIANTS.map((v) => v.name).join(', ')}`,
    );
  return variant;
});
const shape = {
  ...SMALL_ROOMS_SHAPE,
  rate: numberFlag('rate', values.rate, { min: 1, integer: true }),
};
const windowMs =
  (values.quick ? 3 : numberFlag('seconds', values.seconds, { min: 1, integer: false })) * 1000;
const warmupMs =
  (values.quick ? 1 : numberFlag('warmup', values.warmup, { min: 0, integer: false })) * 1000;
const generators = numberFlag('generators', values.generators, { min: 1, integer: true });
const rounds = values.quick ? 1 : numberFlag('rounds', values.rounds, { min: 1, integer: true });
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
const cases: PolicyCase[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const server of servers) {
    for (const variant of variants) {
      log(`case: ${benchServerLabel(server)}, ${variant.name}, round ${round}`);
      const prepare: CasePreparation = {
        label: variant.label,
        run: (process) => pushPolicies(process.port, secret, variant.policies),
      };
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
          text: variant.text,
          prepare,
          log,
        },
        undisturbed,
      );
      const measured = { ...result, round };
      results.push(measured);
      cases.push({ server: benchServerLabel(server), variant, result: measured });
    }
  }
}

const out = [
  ...runHeader('dist/bench/policy/policy-bench.js', startLoad, quiet),
  `Shape: ${shape.rooms} rooms x ${shape.members} members at ${shape.rate} publishes/s; window ${windowMs / 1000} s after ${warmupMs / 1000} s warm-up; ${generators} generator processes; ${rounds} round(s), each variant against the no-policy case of its round. Texts: ${[...new Set(variants.map((v) => JSON.stringify(v.text)))].join(', ')}`,
  '',
  fanoutTable(results),
  '',
  ...fanoutAnomalies(results).map((line) => `- ${line}`),
  ...policyVerdict(cases).map((line) => `- ${line}`),
];
console.log(out.join('\n'));
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(results, null, 2));

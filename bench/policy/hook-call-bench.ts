/**
 * Where the CPU of an on_publish hook call goes, without sockets: `node dist/bench/policy/hook-call-bench.js`
 * (after `npm run build`). N evaluations of the bench:policy message (`{"t":..,"text":CLEAN_TEXT}`)
 * are run
 * - in this thread, straight through PolicyPlugin (the runner thread's call path): the host's JSON
 *   framing alone (input text built, verdict parsed, no call), a hook that does nothing (allow-all:
 *   Extism's call overhead + framing) and pii-redact;
 * - through a PolicyRunner (owner + runner thread, as a shard runs it), all submitted at once
 *   (batches of up to 256 per message to the thread) and one at a time (a round trip each, what a
 *   shard pays when publishes arrive slower than they are checked), and in turns of 10 (a drain);
 * - for a module that exports on_publish_batch, batch calls of 10 and of 256 in this thread, and
 *   the runner then uses them for what it is sent together.
 * CPU is read per thread from /proc/self/task/TID/schedstat (ns on the CPU; Node 20 has no
 * per-thread cpuUsage): this thread, the runner thread (the busiest thread that is new), the rest.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compilePolicy } from '../../src/policy/compile-policy.js';
import { parseBatchVerdicts, parseVerdict } from '../../src/policy/hook-verdict.js';
import { DEFAULT_POLICY_LIMITS } from '../../src/policy/policy-limits.js';
import { PolicyPlugin } from '../../src/policy/policy-plugin.js';
import { PolicyRunner } from '../../src/policy/policy-runner.js';
import type { Evaluation, RunnerPolicy } from '../../src/policy/runner-messages.js';
import { WASM_PAGE_BYTES } from '../../src/policy/wasm-memory-limit.js';
import { CLEAN_TEXT } from './policy-variants.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '20000' },
    /** Messages per batch call when a module exports on_publish_batch (runner cases). */
    'max-batch': { type: 'string', default: '256' },
  },
});
const N = Number(args.n);
const MAX_BATCH = Number(args['max-batch']);
const WARMUP = Math.min(2000, N);
/** Publishes a shard is taken to drain in one turn, for the middle case. */
const DRAIN = 10;

const LIMITS = {
  maxMemoryPages: DEFAULT_POLICY_LIMITS.maxMemoryPages,
  maxOutputBytes: DEFAULT_POLICY_LIMITS.maxOutputBytes,
  hostBytesPerCall: DEFAULT_POLICY_LIMITS.hostBytesPerCall,
};

const MODULES: Record<string, URL> = {
  'allow-all': new URL('../../test/policy/wasm/allow-all.wasm', import.meta.url),
  'allow-all-batch': new URL('../../test/policy/wasm/allow-all-batch.wasm', import.meta.url),
  'pii-redact': new URL('../../policies/pii-redact.wasm', import.meta.url),
};

function evaluation(i: number): Evaluation {
  return {
    hook: 'on_publish',
    tenant: 'bench',
    prefix: `{"tenant":"bench","sub":"user-${i % 1000}","room":"room-${i % 100}"`,
    data: `{"t":${1765100000000 + i}.123,"text":${JSON.stringify(CLEAN_TEXT)}}`,
    base64: false,
    headers: {},
  };
}

/** The runner's input text for one policy (as policy-runner-worker builds it). */
function inputOf(e: Evaluation): string {
  return `${e.prefix},"data":${e.data},"headers":${JSON.stringify(e.headers)}}`;
}

interface ThreadTimes {
  readonly byTid: Map<string, number>;
}

function threadTimes(): ThreadTimes {
  const byTid = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      byTid.set(tid, ns);
    } catch {
      // the thread ended between readdir and read
    }
  }
  return { byTid };
}

interface Split {
  readonly self: number;
  readonly runner: number;
  readonly other: number;
}

/** µs per call of this thread, of the busiest thread not in `known`, and of all the others. */
function split(before: ThreadTimes, after: ThreadTimes, known: Set<string>, n: number): Split {
  const self = String(process.pid);
  let runner = 0;
  let runnerTid = '';
  const deltas = new Map<string, number>();
  for (const [tid, ns] of after.byTid) {
    const d = ns - (before.byTid.get(tid) ?? 0);
    deltas.set(tid, d);
    if (tid !== self && !known.has(tid) && d > runner) {
      runner = d;
      runnerTid = tid;
    }
  }
  let other = 0;
  for (const [tid, d] of deltas) if (tid !== self && tid !== runnerTid) other += d;
  const us = (ns: number) => ns / 1000 / n;
  return { self: us(deltas.get(self) ?? 0), runner: us(runner), other: us(other) };
}

async function runnerPolicy(name: string): Promise<RunnerPolicy> {
  const url = MODULES[name] as URL;
  const compiled = await compilePolicy(readFileSync(fileURLToPath(url)), LIMITS);
  return {
    id: `*/${name}@1`,
    name,
    tenant: null,
    version: 1,
    hooks: compiled.hooks,
    // Generous: the bench measures CPU, and a busy machine must not turn a slow call into a deny.
    timeoutMs: 1000,
    config: compiled.config,
    module: compiled.module,
  };
}

const rows: string[][] = [];
function row(label: string, s: Split, note = ''): void {
  const total = s.self + s.runner + s.other;
  rows.push([
    label,
    s.self.toFixed(2),
    s.runner.toFixed(2),
    s.other.toFixed(2),
    total.toFixed(2),
    note,
  ]);
}

async function direct(): Promise<void> {
  const evaluations = Array.from({ length: N }, (_, i) => evaluation(i));
  const known = new Set(threadTimes().byTid.keys());
  // Framing alone: the input text built and a verdict parsed, as the runner does per call.
  const framing = () => {
    let n = 0;
    for (const e of evaluations) {
      const input = inputOf(e);
      const v = parseVerdict('on_publish', '{"allow":true}');
      if (input.length > 0 && 'allow' in v) n++;
    }
    return n;
  };
  framing();
  let before = threadTimes();
  framing();
  row('framing only (input built, verdict parsed)', split(before, threadTimes(), known, N));

  for (const name of Object.keys(MODULES)) {
    const policy = await runnerPolicy(name);
    const plugin = await PolicyPlugin.create(
      policy.module,
      policy.config,
      LIMITS,
      LIMITS.maxMemoryPages * WASM_PAGE_BYTES,
    );
    const run = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const e = evaluations[i] as Evaluation;
        const result = await plugin.call('on_publish', inputOf(e));
        if (!result.ok) throw new Error(`${name}: ${result.message}`);
        parseVerdict('on_publish', result.text);
      }
    };
    await run(0, WARMUP);
    before = threadTimes();
    await run(0, N);
    row(`${name}, in this thread, a call per message`, split(before, threadTimes(), known, N));
    if (WebAssembly.Module.exports(policy.module).some((x) => x.name === 'on_publish_batch')) {
      for (const size of [DRAIN, MAX_BATCH]) {
        const runBatches = async (count: number) => {
          for (let i = 0; i < count; i += size) {
            const group = evaluations.slice(i, Math.min(count, i + size));
            const input = `[${group.map(inputOf).join(',')}]`;
            const result = await plugin.call('on_publish_batch', input, group.length);
            if (!result.ok) throw new Error(`${name}: ${result.message}`);
            const verdicts = parseBatchVerdicts(result.text, group.length);
            if (!Array.isArray(verdicts)) throw new Error(`${name}: ${verdicts.problem}`);
          }
        };
        await runBatches(WARMUP);
        before = threadTimes();
        await runBatches(N);
        row(
          `${name}, in this thread, on_publish_batch calls of ${size}`,
          split(before, threadTimes(), known, N),
        );
      }
    }
    await plugin.close();
  }
}

/** Evaluations submitted in one turn (a shard's drain), then wait for them all. */
async function throughRunner(name: string, burst: number): Promise<void> {
  const policy = await runnerPolicy(name);
  const known = new Set(threadTimes().byTid.keys());
  const runner = new PolicyRunner({ name: 'bench', ...LIMITS, maxBatch: MAX_BATCH });
  await runner.install([policy]);
  const evaluations = Array.from({ length: N }, (_, i) => evaluation(i));
  const run = async (count: number) => {
    for (let i = 0; i < count; i += burst) {
      await Promise.all(
        evaluations
          .slice(i, Math.min(count, i + burst))
          .map(
            (e) =>
              new Promise<void>((resolve, reject) =>
                runner.evaluate(e, (o) => (o.allow ? resolve() : reject(new Error(o.reason)))),
              ),
          ),
      );
    }
  };
  await run(WARMUP);
  const before = threadTimes();
  const started = performance.now();
  await run(N);
  const wallUs = ((performance.now() - started) * 1000) / N;
  const how =
    burst === 1
      ? 'one at a time'
      : burst >= N
        ? `all at once (requests of ${MAX_BATCH})`
        : `in turns of ${burst}`;
  row(
    `${name}, PolicyRunner, ${how}`,
    split(before, threadTimes(), known, N),
    `wall ${wallUs.toFixed(2)} µs/msg`,
  );
  await runner.close();
}

await direct();
for (const name of Object.keys(MODULES)) {
  for (const burst of [N, DRAIN, 1]) await throughRunner(name, burst);
}

const header = ['case', 'this thread µs', 'runner thread µs', 'other threads µs', 'total µs', ''];
const lines = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`);
process.stdout.write(
  `on_publish hook cost per message, N=${N} (${process.version}, ${process.arch})\n${lines.join('\n')}\n`,
);

/**
 * Entry point of a policy runner thread: holds instances of the policies in force and runs hook
 * chains for its owner (the edge, or one shard), one request (up to maxBatch evaluations) at a time. Before each hook call it
 * writes what it is about to run into the shared state, so that its owner can stop the thread when
 * a call outlives its budget and say which policy it was (PolicyRunner).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type HookName, PUBLISH_BATCH_HOOK } from './hook-name.js';
import {
  type HookVerdict,
  isVerdictProblem,
  parseBatchVerdicts,
  parseVerdict,
  type VerdictProblem,
} from './hook-verdict.js';
import type { PolicyFailure } from './policy-failure.js';
import { PolicyPlugin } from './policy-plugin.js';
import {
  type Evaluation,
  type PolicyOutcome,
  RUNNER_STATE_BUSY,
  RUNNER_STATE_CALL_COUNT,
  RUNNER_STATE_CALLS,
  RUNNER_STATE_EVALUATION,
  RUNNER_STATE_POLICY,
  RUNNER_STATE_SET,
  RUNNER_STATE_SLOTS,
  RUNNER_STATE_STARTED,
  RUNNER_STATE_TIMEOUT,
  type RunnerPolicy,
  type RunnerReply,
  type RunnerRequest,
  type RunnerWorkerData,
} from './runner-messages.js';
import { WASM_PAGE_BYTES } from './wasm-memory-limit.js';

const data = workerData as RunnerWorkerData;
const port = parentPort;
const state = new Int32Array(data.state);
const limits = { hostBytesPerCall: data.hostBytesPerCall, maxOutputBytes: data.maxOutputBytes };
const maxMemoryBytes = data.maxMemoryPages * WASM_PAGE_BYTES;
const EMPTY_HEADERS = '{}';

let policies: readonly RunnerPolicy[] = [];
let setSeq = 0;
const plugins = new Map<string, Promise<PolicyPlugin | Error>>();

function instantiate(policy: RunnerPolicy): Promise<PolicyPlugin | Error> {
  return PolicyPlugin.create(policy.module, policy.config, limits, maxMemoryBytes).catch(
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
}

async function install(seq: number, next: readonly RunnerPolicy[]): Promise<void> {
  const keep = new Set(next.map((p) => p.id));
  for (const [id, plugin] of plugins) {
    if (keep.has(id)) continue;
    plugins.delete(id);
    batching.delete(id);
    void plugin.then((p) => (p instanceof PolicyPlugin ? p.close() : undefined));
  }
  for (const policy of next) {
    if (!plugins.has(policy.id)) plugins.set(policy.id, instantiate(policy));
  }
  await Promise.all(plugins.values());
  policies = next;
  setSeq = seq;
}

/** Whether a policy is in the chain of an evaluation: its hook, and global or the tenant's. */
function applies(policy: RunnerPolicy, e: Evaluation): boolean {
  return policy.hooks.includes(e.hook) && (policy.tenant === null || policy.tenant === e.tenant);
}

/** Policies (by id) whose module also exports on_publish_batch. */
const batching = new Map<string, boolean>();

function hasBatchHook(policy: RunnerPolicy): boolean {
  let has = batching.get(policy.id);
  if (has === undefined) {
    has =
      policy.hooks.includes('on_publish') &&
      WebAssembly.Module.exports(policy.module).some(
        (x) => x.kind === 'function' && x.name === PUBLISH_BATCH_HOOK,
      );
    batching.set(policy.id, has);
  }
  return has;
}

/** One evaluation on its way through its chain: the message as the policies so far left it. */
interface Chain {
  readonly e: Evaluation;
  /** Its index in the request (what the owner blames when the thread is stopped). */
  readonly index: number;
  dataJson: string | null;
  base64: boolean;
  headers: Readonly<Record<string, string>> | null;
  headersJson: string;
  rewroteData: boolean;
  rewroteHeaders: boolean;
  /** Set by the first deny (a failure included): the chain stops there. */
  outcome: PolicyOutcome | null;
}

function chainOf(e: Evaluation, index: number): Chain {
  return {
    e,
    index,
    dataJson: e.data,
    base64: e.base64,
    headers: e.headers,
    headersJson: e.headers === null ? EMPTY_HEADERS : JSON.stringify(e.headers),
    rewroteData: false,
    rewroteHeaders: false,
    outcome: null,
  };
}

function inputOf(c: Chain): string {
  const e = c.e;
  if (e.hook !== 'on_publish' || c.dataJson === null) return `${e.prefix}}`;
  const encoding = c.base64 ? ',"data_encoding":"base64"' : '';
  return `${e.prefix},"data":${c.dataJson}${encoding},"headers":${c.headersJson}}`;
}

function denied(
  policy: RunnerPolicy,
  reason: string,
  disconnect: boolean,
  failures: PolicyFailure[],
): PolicyOutcome {
  return {
    allow: false,
    reason,
    disconnect,
    deniedBy: { name: policy.name, version: policy.version, tenant: policy.tenant },
    data: null,
    headers: null,
    failures,
  };
}

function failed(policy: RunnerPolicy, kind: PolicyFailure['kind'], message: string): PolicyOutcome {
  const failure = {
    policy: policy.name,
    version: policy.version,
    tenant: policy.tenant,
    kind,
    message,
  };
  return denied(policy, `policy ${policy.name} failed: ${message}`, false, [failure]);
}

/** What the owner reads if it has to stop the thread during this call (PolicyRunner.#onLost). */
function announce(chains: readonly Chain[], index: number, budgetMs: number): void {
  for (let k = 0; k < chains.length; k++) {
    Atomics.store(state, RUNNER_STATE_SLOTS + k, (chains[k] as Chain).index);
  }
  Atomics.store(state, RUNNER_STATE_CALL_COUNT, chains.length);
  Atomics.store(state, RUNNER_STATE_EVALUATION, (chains[0] as Chain).index);
  Atomics.store(state, RUNNER_STATE_SET, setSeq);
  Atomics.store(state, RUNNER_STATE_POLICY, index);
  Atomics.store(state, RUNNER_STATE_TIMEOUT, budgetMs);
  Atomics.store(state, RUNNER_STATE_STARTED, Date.now() - data.epochMs);
  Atomics.add(state, RUNNER_STATE_CALLS, 1);
  Atomics.store(state, RUNNER_STATE_BUSY, 1);
}

/** Runs one hook call for `chains` (one message, or several through on_publish_batch). */
async function call(
  policy: RunnerPolicy,
  index: number,
  chains: readonly Chain[],
  hook: HookName | typeof PUBLISH_BATCH_HOOK,
  input: string,
): Promise<{ text: string } | PolicyOutcome> {
  const plugin = await (plugins.get(policy.id) ?? instantiate(policy));
  if (plugin instanceof Error)
    return failed(policy, 'trap', `fails when loaded (${plugin.message})`);
  const budgetMs = policy.timeoutMs * chains.length;
  announce(chains, index, budgetMs);
  const started = performance.now();
  const result = await plugin.call(hook, input, chains.length);
  const elapsed = performance.now() - started;
  Atomics.store(state, RUNNER_STATE_BUSY, 0);
  if (!result.ok) {
    // Its runtime may be broken after a trap: the next call gets a fresh instance.
    plugins.set(policy.id, instantiate(policy));
    void plugin.close();
    return failed(policy, result.kind, result.message);
  }
  if (elapsed > budgetMs) {
    const of = chains.length > 1 ? ` for ${chains.length} messages` : '';
    return failed(
      policy,
      'timeout',
      `timed out (ran ${Math.ceil(elapsed)} ms, budget ${budgetMs} ms${of})`,
    );
  }
  return { text: result.text };
}

/** One policy's verdict on one chain: a deny ends it, a rewrite is the next policy's input. */
function apply(c: Chain, policy: RunnerPolicy, verdict: HookVerdict | VerdictProblem): void {
  if (isVerdictProblem(verdict)) {
    c.outcome = failed(policy, 'bad_verdict', `bad verdict (${verdict.problem})`);
    return;
  }
  if (!verdict.allow) {
    c.outcome = denied(policy, verdict.reason, verdict.disconnect, []);
    return;
  }
  if (verdict.hasData) {
    c.dataJson = JSON.stringify(verdict.data);
    c.base64 = false;
    c.rewroteData = true;
  }
  if (verdict.headers !== null) {
    c.headers = verdict.headers;
    c.headersJson = JSON.stringify(verdict.headers);
    c.rewroteHeaders = true;
  }
}

async function single(c: Chain, policy: RunnerPolicy, index: number): Promise<void> {
  const answer = await call(policy, index, [c], c.e.hook, inputOf(c));
  if (!('text' in answer)) c.outcome = answer;
  else apply(c, policy, parseVerdict(c.e.hook, answer.text));
}

/**
 * One on_publish_batch call over several on_publish chains. A call that fails as a whole (trap,
 * timeout, output that is not an array of one verdict per input) fails every message of it:
 * retrying them one by one would run a broken policy again, and fail closed it denies either way.
 */
async function batch(chains: readonly Chain[], policy: RunnerPolicy, index: number): Promise<void> {
  const input = `[${chains.map(inputOf).join(',')}]`;
  const answer = await call(policy, index, chains, PUBLISH_BATCH_HOOK, input);
  if (!('text' in answer)) {
    for (const c of chains) c.outcome = answer;
    return;
  }
  const verdicts = parseBatchVerdicts(answer.text, chains.length);
  if (isVerdictProblem(verdicts)) {
    const outcome = failed(policy, 'bad_verdict', `bad verdict (${verdicts.problem})`);
    for (const c of chains) c.outcome = outcome;
    return;
  }
  for (let k = 0; k < chains.length; k++) {
    apply(chains[k] as Chain, policy, verdicts[k] as HookVerdict | VerdictProblem);
  }
}

function outcomeOf(c: Chain): PolicyOutcome {
  if (c.outcome !== null) return c.outcome;
  return {
    allow: true,
    reason: '',
    disconnect: false,
    deniedBy: null,
    data: c.rewroteData ? c.dataJson : null,
    headers: c.rewroteHeaders ? c.headers : null,
    failures: [],
  };
}

/**
 * A run of evaluations of one hook, policy by policy: each policy (global first, then tenants',
 * each group in name order: the owner sorted them) gets every message of the run still allowed
 * whose chain it is in, in the run's order, so each message still meets its policies in its
 * chain's order, rewrites chained. For on_publish a policy that exports on_publish_batch gets them
 * in one call; others one call per message.
 */
async function evaluateRun(chains: readonly Chain[]): Promise<void> {
  const hook = (chains[0] as Chain).e.hook;
  for (let index = 0; index < policies.length; index++) {
    const policy = policies[index] as RunnerPolicy;
    if (!policy.hooks.includes(hook)) continue;
    const live = chains.filter((c) => c.outcome === null && applies(policy, c.e));
    if (live.length === 0) continue;
    if (hook === 'on_publish' && live.length > 1 && hasBatchHook(policy)) {
      await batch(live, policy, index);
      continue;
    }
    for (const c of live) await single(c, policy, index);
  }
}

async function evaluateAll(evaluations: readonly Evaluation[]): Promise<PolicyOutcome[]> {
  const chains = evaluations.map(chainOf);
  let from = 0;
  while (from < chains.length) {
    const hook = (chains[from] as Chain).e.hook;
    let to = from + 1;
    while (to < chains.length && (chains[to] as Chain).e.hook === hook) to++;
    await evaluateRun(chains.slice(from, to));
    from = to;
  }
  return chains.map(outcomeOf);
}

async function handle(request: RunnerRequest): Promise<RunnerReply> {
  switch (request.type) {
    case 'install':
      await install(request.seq, request.policies);
      return { type: 'installed', seq: request.seq };
    case 'evaluate':
      return {
        type: 'evaluated',
        batch: request.batch,
        outcomes: await evaluateAll(request.evaluations),
      };
  }
}

// One request at a time, in order: an install takes effect between two batches, never inside one.
let queue: Promise<void> = Promise.resolve();
port?.on('message', (request: RunnerRequest) => {
  queue = queue.then(async () => port.postMessage(await handle(request)));
});

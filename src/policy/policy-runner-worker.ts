/**
 * Entry point of a policy runner thread: holds instances of the policies in force and runs hook
 * chains for its owner (the edge, or one shard), one batch at a time. Before each hook call it
 * writes what it is about to run into the shared state, so that its owner can stop the thread when
 * a call outlives its budget and say which policy it was (PolicyRunner).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isVerdictProblem, parseVerdict } from './hook-verdict.js';
import type { PolicyFailure } from './policy-failure.js';
import { PolicyPlugin } from './policy-plugin.js';
import {
  type Evaluation,
  type PolicyOutcome,
  RUNNER_STATE_BUSY,
  RUNNER_STATE_CALLS,
  RUNNER_STATE_EVALUATION,
  RUNNER_STATE_POLICY,
  RUNNER_STATE_SET,
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
    void plugin.then((p) => (p instanceof PolicyPlugin ? p.close() : undefined));
  }
  for (const policy of next) {
    if (!plugins.has(policy.id)) plugins.set(policy.id, instantiate(policy));
  }
  await Promise.all(plugins.values());
  policies = next;
  setSeq = seq;
}

/** Global policies first, then the tenant's; each group in name order (the owner sorted them). */
function chainOf(evaluation: Evaluation): { policy: RunnerPolicy; index: number }[] {
  const chain: { policy: RunnerPolicy; index: number }[] = [];
  policies.forEach((policy, index) => {
    if (!policy.hooks.includes(evaluation.hook)) return;
    if (policy.tenant === null || policy.tenant === evaluation.tenant)
      chain.push({ policy, index });
  });
  return chain;
}

function inputOf(e: Evaluation, dataJson: string | null, headers: string): string {
  if (e.hook !== 'on_publish' || dataJson === null) return `${e.prefix}}`;
  const encoding = e.base64 ? ',"data_encoding":"base64"' : '';
  return `${e.prefix},"data":${dataJson}${encoding},"headers":${headers}}`;
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

async function evaluate(e: Evaluation, evaluationIndex: number): Promise<PolicyOutcome> {
  let dataJson = e.data;
  let base64 = e.base64;
  let headers = e.headers;
  let headersJson = headers === null ? EMPTY_HEADERS : JSON.stringify(headers);
  let rewroteData = false;
  let rewroteHeaders = false;
  for (const { policy, index } of chainOf(e)) {
    const failures: PolicyFailure[] = [];
    const fail = (kind: PolicyFailure['kind'], message: string): PolicyOutcome => {
      failures.push({
        policy: policy.name,
        version: policy.version,
        tenant: policy.tenant,
        kind,
        message,
      });
      return denied(policy, `policy ${policy.name} failed: ${message}`, false, failures);
    };
    const plugin = await (plugins.get(policy.id) ?? instantiate(policy));
    if (plugin instanceof Error) return fail('trap', `fails when loaded (${plugin.message})`);
    const input = inputOf({ ...e, base64 }, dataJson, headersJson);
    Atomics.store(state, RUNNER_STATE_EVALUATION, evaluationIndex);
    Atomics.store(state, RUNNER_STATE_SET, setSeq);
    Atomics.store(state, RUNNER_STATE_POLICY, index);
    Atomics.store(state, RUNNER_STATE_TIMEOUT, policy.timeoutMs);
    Atomics.store(state, RUNNER_STATE_STARTED, Date.now() - data.epochMs);
    Atomics.add(state, RUNNER_STATE_CALLS, 1);
    Atomics.store(state, RUNNER_STATE_BUSY, 1);
    const started = performance.now();
    const result = await plugin.call(e.hook, input);
    const elapsed = performance.now() - started;
    Atomics.store(state, RUNNER_STATE_BUSY, 0);
    if (!result.ok) {
      // Its runtime may be broken after a trap: the next call gets a fresh instance.
      plugins.set(policy.id, instantiate(policy));
      void plugin.close();
      return fail(result.kind, result.message);
    }
    if (elapsed > policy.timeoutMs) {
      return fail(
        'timeout',
        `timed out (ran ${Math.ceil(elapsed)} ms, budget ${policy.timeoutMs} ms)`,
      );
    }
    const verdict = parseVerdict(e.hook, result.text);
    if (isVerdictProblem(verdict)) return fail('bad_verdict', `bad verdict (${verdict.problem})`);
    if (!verdict.allow) return denied(policy, verdict.reason, verdict.disconnect, failures);
    if (verdict.hasData) {
      dataJson = JSON.stringify(verdict.data);
      base64 = false;
      rewroteData = true;
    }
    if (verdict.headers !== null) {
      headers = verdict.headers;
      headersJson = JSON.stringify(headers);
      rewroteHeaders = true;
    }
  }
  return {
    allow: true,
    reason: '',
    disconnect: false,
    deniedBy: null,
    data: rewroteData ? dataJson : null,
    headers: rewroteHeaders ? headers : null,
    failures: [],
  };
}

async function handle(request: RunnerRequest): Promise<RunnerReply> {
  switch (request.type) {
    case 'install':
      await install(request.seq, request.policies);
      return { type: 'installed', seq: request.seq };
    case 'evaluate': {
      const outcomes: PolicyOutcome[] = [];
      for (let i = 0; i < request.evaluations.length; i++) {
        outcomes.push(await evaluate(request.evaluations[i] as Evaluation, i));
      }
      return { type: 'evaluated', batch: request.batch, outcomes };
    }
  }
}

// One request at a time, in order: an install takes effect between two batches, never inside one.
let queue: Promise<void> = Promise.resolve();
port?.on('message', (request: RunnerRequest) => {
  queue = queue.then(async () => port.postMessage(await handle(request)));
});

import { Worker } from 'node:worker_threads';
import { PolicyError } from './policy-error.js';
import type { PolicyFailure, PolicyFailureKind } from './policy-failure.js';
import {
  type Evaluation,
  type PolicyOutcome,
  RUNNER_STATE_BUSY,
  RUNNER_STATE_CALL_COUNT,
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

const RUNNER_URL = new URL('./policy-runner-worker.js', import.meta.url);
/** Evaluations sent in one message: one round trip for what queued while the last batch ran. */
export const DEFAULT_MAX_BATCH = 256;
/**
 * Past its budget a call that ends is failed by the runner itself (it measures each call); the
 * owner stops the thread only this much later, so that a call that does end is reported as such.
 */
const KILL_GRACE_MS = 20;
/** How often the watchdog looks while the runner is between calls (loading, decoding). */
const WATCH_IDLE_MS = 25;
/** The runner's JavaScript heap (verdicts, inputs); Wasm memories are limited per module. */
const RUNNER_HEAP_MB = 256;
/** Install sets remembered to name the policy of a call that was stopped. */
const SETS_KEPT = 8;

export interface PolicyRunnerOptions {
  /** Where it runs, for logs: `edge`, `shard 0`. */
  readonly name: string;
  readonly maxMemoryPages: number;
  readonly hostBytesPerCall: number;
  readonly maxOutputBytes: number;
  readonly maxBatch?: number;
  /** The runner thread was stopped or died and is started again (with why). */
  readonly onRestart?: (reason: string) => void;
}

interface Pending {
  readonly evaluation: Evaluation;
  readonly done: (outcome: PolicyOutcome) => void;
  /** Decided without the runner (the call it was in was stopped): answered in its turn. */
  failed: PolicyOutcome | null;
}

/**
 * The owner's side of a policy runner thread. Hook calls cannot be interrupted inside a thread
 * (Extism 1.0.3 has no timeout), so they run in a thread of their own that this side stops when a
 * call outlives its budget (read from state the runner writes before each call), or that dies on
 * its own (out of heap): the call it was in fails (deny), the others of its batch are run again by
 * a fresh thread with the same policies, in their order. Answers come in the order of `evaluate`.
 */
export class PolicyRunner {
  readonly #options: PolicyRunnerOptions;
  readonly #maxBatch: number;
  readonly #stateBuffer: SharedArrayBuffer;
  readonly #state: Int32Array;
  readonly #epochMs = Date.now();
  readonly #sets = new Map<number, readonly RunnerPolicy[]>();
  readonly #installWaiters: { seq: number; resolve: () => void }[] = [];
  #queue: Pending[] = [];
  #inFlight: Pending[] | null = null;
  #sent: Pending[] = [];
  #worker: Worker | null = null;
  #installSeq = 0;
  #installed: { seq: number; policies: readonly RunnerPolicy[] } = { seq: 0, policies: [] };
  #batch = 0;
  #watchdog: NodeJS.Timeout | null = null;
  #stopping: { kind: PolicyFailureKind; message: string } | null = null;
  #closed = false;
  #pumpQueued = false;

  constructor(options: PolicyRunnerOptions) {
    this.#options = options;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (!Number.isSafeInteger(this.#maxBatch) || this.#maxBatch < 1)
      throw new PolicyError(
        'ARQ_ERR_POLICY_OPTIONS',
        `maxBatch: a whole number of at least 1, got ${this.#maxBatch}`,
      );
    // The fixed slots, then the request indices of a batch call's messages (at most maxBatch).
    this.#stateBuffer = new SharedArrayBuffer((RUNNER_STATE_SLOTS + this.#maxBatch) * 4);
    this.#state = new Int32Array(this.#stateBuffer);
  }

  /** Evaluations waiting or running. */
  get pending(): number {
    return this.#queue.length + (this.#inFlight?.length ?? 0);
  }

  /** Replaces the policies the runner holds; resolves once it instantiated them all. */
  install(policies: readonly RunnerPolicy[]): Promise<void> {
    const seq = ++this.#installSeq;
    this.#installed = { seq, policies };
    this.#sets.set(seq, policies);
    for (const old of this.#sets.keys()) if (old <= seq - SETS_KEPT) this.#sets.delete(old);
    // A node without policies starts no runner thread; one that had some keeps its thread.
    if (this.#worker === null && policies.length === 0) return Promise.resolve();
    if (this.#worker === null) this.#spawn();
    else this.#post({ type: 'install', seq, policies });
    return new Promise((resolve) => this.#installWaiters.push({ seq, resolve }));
  }

  evaluate(evaluation: Evaluation, done: (outcome: PolicyOutcome) => void): void {
    if (this.#closed) {
      done(stoppedOutcome('the policy runner is stopped'));
      return;
    }
    this.#queue.push({ evaluation, done, failed: null });
    if (this.#worker === null) this.#spawn();
    // Sent at the end of the caller's turn: what a shard drains together goes in one request
    // (one round trip, and one batch call per policy that has on_publish_batch).
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#clearWatchdog();
    const worker = this.#worker;
    this.#worker = null;
    const waiting = [...(this.#inFlight ?? []), ...this.#queue];
    this.#inFlight = null;
    this.#queue = [];
    for (const p of waiting) p.done(p.failed ?? stoppedOutcome('the policy runner is stopped'));
    for (const w of this.#installWaiters.splice(0)) w.resolve();
    if (worker !== null) await worker.terminate();
  }

  #spawn(): void {
    const data: RunnerWorkerData = {
      type: 'arqon:policy-runner',
      state: this.#stateBuffer,
      epochMs: this.#epochMs,
      maxMemoryPages: this.#options.maxMemoryPages,
      hostBytesPerCall: this.#options.hostBytesPerCall,
      maxOutputBytes: this.#options.maxOutputBytes,
    };
    Atomics.store(this.#state, RUNNER_STATE_BUSY, 0);
    const worker = new Worker(RUNNER_URL, {
      workerData: data,
      // The runner imports node:wasi through Extism, which warns on every thread; and it starts
      // as under `npm start`, without a test runner's or debugger's hooks.
      execArgv: ['--no-warnings'],
      resourceLimits: { maxOldGenerationSizeMb: RUNNER_HEAP_MB },
    });
    worker.unref();
    this.#worker = worker;
    let lost: { kind: PolicyFailureKind; message: string } | null = null;
    worker.on('message', (reply: RunnerReply) => this.#onReply(worker, reply));
    worker.on('error', (error: Error & { code?: string }) => {
      lost =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? { kind: 'memory', message: 'out of memory (the runner ran out of heap)' }
          : { kind: 'trap', message: `trapped (${error.message})` };
    });
    worker.on('exit', () => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#onLost(this.#stopping ?? lost ?? { kind: 'trap', message: 'the runner ended' });
    });
    if (this.#installed.policies.length > 0) {
      this.#post({ type: 'install', seq: this.#installed.seq, policies: this.#installed.policies });
    }
  }

  #post(request: RunnerRequest): void {
    this.#worker?.postMessage(request);
  }

  #onReply(worker: Worker, reply: RunnerReply): void {
    if (worker !== this.#worker) return;
    switch (reply.type) {
      case 'installed': {
        const done = this.#installWaiters.filter((w) => w.seq <= reply.seq);
        for (const w of done) this.#installWaiters.splice(this.#installWaiters.indexOf(w), 1);
        for (const w of done) w.resolve();
        return;
      }
      case 'evaluated': {
        if (reply.batch !== this.#batch || this.#inFlight === null) return;
        const entries = this.#inFlight;
        this.#inFlight = null;
        this.#sent = [];
        this.#clearWatchdog();
        let next = 0;
        for (const entry of entries) {
          entry.done(entry.failed ?? (reply.outcomes[next++] as PolicyOutcome));
        }
        this.#pump();
        return;
      }
    }
  }

  #pump(): void {
    while (this.#inFlight === null && this.#queue.length > 0 && this.#worker !== null) {
      const entries = this.#queue.splice(0, this.#maxBatch);
      const sent = entries.filter((e) => e.failed === null);
      if (sent.length === 0) {
        for (const entry of entries) entry.done(entry.failed as PolicyOutcome);
        continue;
      }
      this.#inFlight = entries;
      this.#sent = sent;
      this.#batch++;
      this.#post({
        type: 'evaluate',
        batch: this.#batch,
        evaluations: sent.map((e) => e.evaluation),
      });
      this.#armWatchdog(WATCH_IDLE_MS);
    }
  }

  #armWatchdog(delayMs: number): void {
    this.#clearWatchdog();
    this.#watchdog = setTimeout(() => this.#watch(), Math.max(1, delayMs));
    this.#watchdog.unref();
  }

  #clearWatchdog(): void {
    if (this.#watchdog !== null) clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }

  /** Busy is read before the start time: a start read after it is this call's or a later one's. */
  #watch(): void {
    this.#watchdog = null;
    if (this.#inFlight === null || this.#worker === null) return;
    if (Atomics.load(this.#state, RUNNER_STATE_BUSY) === 0) {
      this.#armWatchdog(WATCH_IDLE_MS);
      return;
    }
    const started = Atomics.load(this.#state, RUNNER_STATE_STARTED);
    const budget = Atomics.load(this.#state, RUNNER_STATE_TIMEOUT);
    const ranMs = Date.now() - this.#epochMs - started;
    const left = budget + KILL_GRACE_MS - ranMs;
    if (left > 0) {
      this.#armWatchdog(left);
      return;
    }
    this.#stopping = { kind: 'timeout', message: `timed out (over its budget of ${budget} ms)` };
    void this.#worker.terminate();
  }

  /** The runner thread is gone: fail the call it was in, run the rest again on a new one. */
  #onLost(why: { kind: PolicyFailureKind; message: string }): void {
    this.#stopping = null;
    this.#clearWatchdog();
    if (this.#closed) return;
    const entries = this.#inFlight;
    this.#inFlight = null;
    if (entries !== null) {
      const policy = this.#sets
        .get(Atomics.load(this.#state, RUNNER_STATE_SET))
        ?.at(Atomics.load(this.#state, RUNNER_STATE_POLICY));
      // Every message of the call it was in (several for an on_publish_batch call) fails.
      const outcome = failedOutcome(policy ?? null, why);
      for (const index of this.#culprits()) {
        const culprit = this.#sent[Math.min(index, this.#sent.length - 1)];
        if (culprit !== undefined) culprit.failed = outcome;
      }
      this.#queue = [...entries, ...this.#queue];
    }
    this.#sent = [];
    const who = entries === null ? '' : ' during a hook call';
    this.#options.onRestart?.(
      `policy runner (${this.#options.name}) restarted${who}: ${why.message}`,
    );
    this.#spawn();
    this.#pump();
  }

  /** The request indices of the evaluations of the call the runner announced last. */
  #culprits(): number[] {
    const count = Atomics.load(this.#state, RUNNER_STATE_CALL_COUNT);
    if (count <= 1 || count > this.#maxBatch)
      return [Atomics.load(this.#state, RUNNER_STATE_EVALUATION)];
    return Array.from({ length: count }, (_, k) =>
      Atomics.load(this.#state, RUNNER_STATE_SLOTS + k),
    );
  }
}

function stoppedOutcome(reason: string): PolicyOutcome {
  return {
    allow: false,
    reason,
    disconnect: false,
    deniedBy: null,
    data: null,
    headers: null,
    failures: [],
  };
}

function failedOutcome(
  policy: RunnerPolicy | null,
  why: { kind: PolicyFailureKind; message: string },
): PolicyOutcome {
  const name = policy?.name ?? 'unknown';
  const failure: PolicyFailure = {
    policy: name,
    version: policy?.version ?? 0,
    tenant: policy?.tenant ?? null,
    kind: why.kind,
    message: why.message,
  };
  return {
    allow: false,
    reason: `policy ${name} failed: ${why.message}`,
    disconnect: false,
    deniedBy: policy === null ? null : { name, version: policy.version, tenant: policy.tenant },
    data: null,
    headers: null,
    failures: [failure],
  };
}

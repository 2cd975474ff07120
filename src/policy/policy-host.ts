import type { CompiledPolicy } from './compile-policy.js';
import type { HookName } from './hook-name.js';
import type { PolicyCompiler } from './policy-compiler.js';
import { PolicyError } from './policy-error.js';
import type { PolicyChange, PolicyLedger } from './policy-ledger.js';
import type { PolicyLimits } from './policy-limits.js';
import {
  checkPolicyName,
  checkPolicyTenant,
  comparePolicies,
  type PolicyInfo,
  type PolicyRecord,
  policyInfo,
  policyKey,
} from './policy-record.js';
import { type PolicyMetrics, recordOutcome } from './policy-report.js';
import { PolicyRunner } from './policy-runner.js';
import type { Evaluation, PolicyOutcome, RunnerPolicy } from './runner-messages.js';

/** A live connection, as an on_connect re-check sees it. */
export interface LiveConnection {
  readonly tenant: string;
  readonly sub: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly remote: string;
  /** Closes the socket with 4003 (dropped by policy). */
  drop(reason: string): void;
}

export interface PolicyHostOptions {
  readonly compiler: PolicyCompiler;
  readonly limits: PolicyLimits;
  readonly metrics: PolicyMetrics;
  readonly log: (line: string) => void;
  /** Hands the set to every shard thread; resolves once each running shard holds it. */
  readonly deploy: (policies: readonly RunnerPolicy[]) => Promise<void>;
  /** The node's open connections, for the re-check after a change of on_connect policies. */
  readonly connections: () => Iterable<LiveConnection>;
}

interface InForce {
  readonly record: PolicyRecord;
  readonly compiled: CompiledPolicy;
}

/** The answer to an upgrade, a join or a re-check when a policy denied. */
export interface PolicyDenial {
  readonly reason: string;
  readonly disconnect: boolean;
}

/**
 * The node's policy set, on the edge thread: it applies every change the ledger reports (compiled
 * in the pool, then handed to the edge's runner and every shard), answers the admin API, and runs
 * on_connect and on_join on the edge's runner thread. on_publish runs in the room's shard
 * (ShardPolicyGate), which gets the same set.
 */
export class PolicyHost {
  readonly #o: PolicyHostOptions;
  readonly #runner: PolicyRunner;
  readonly #inForce = new Map<string, InForce>();
  /** Compiled modules by sha256: a push is compiled once, not again when the ledger reports it. */
  readonly #compiled = new Map<string, CompiledPolicy>();
  /** Waiters for a version of a key to be in force on this node. */
  readonly #waiters = new Map<string, { version: number; resolve: () => void }[]>();
  #hooked = new Map<HookName, Set<string | null>>();
  #ledger: PolicyLedger | null = null;
  /** What list() shows: the set once the edge's runner and every shard hold it. */
  #listed: readonly PolicyRecord[] = [];
  #started = false;

  constructor(options: PolicyHostOptions) {
    this.#o = options;
    this.#runner = new PolicyRunner({
      name: 'edge',
      maxMemoryPages: options.limits.maxMemoryPages,
      hostBytesPerCall: options.limits.hostBytesPerCall,
      maxOutputBytes: options.limits.maxOutputBytes,
      onRestart: options.log,
    });
  }

  /** True once the stored set is in force here (a node is not ready before). */
  get started(): boolean {
    return this.#started;
  }

  /** Loads the stored set (a node that starts after a push gets it here), then follows changes. */
  async start(ledger: PolicyLedger): Promise<void> {
    this.#ledger = ledger;
    await ledger.watch((change) => this.#apply(change));
    this.#started = true;
  }

  async close(): Promise<void> {
    await this.#ledger?.close();
    await this.#runner.close();
    await this.#o.compiler.close();
  }

  /** The policies in force on this node, in the order they run. */
  list(): PolicyInfo[] {
    return this.#listed.map(policyInfo);
  }

  /**
   * Checks and compiles the module (a refusal throws ARQ_ERR_POLICY_MODULE and changes nothing),
   * stores it as the policy's new version and resolves once that version is in force here.
   */
  async push(
    name: string,
    tenant: string | null,
    timeoutMs: number,
    bytes: Uint8Array,
  ): Promise<PolicyInfo> {
    checkPolicyName(name);
    checkPolicyTenant(tenant);
    if (bytes.length > this.#o.limits.maxModuleBytes) {
      throw new PolicyError(
        'ARQ_ERR_POLICY_MODULE',
        `the module is ${bytes.length} bytes, over the limit of ${this.#o.limits.maxModuleBytes}`,
      );
    }
    const compiled = await this.#compile(bytes);
    const key = policyKey(name, tenant);
    const record = await this.#store().put(
      { name, tenant, sha256: compiled.sha256, hooks: compiled.hooks, timeoutMs },
      bytes,
    );
    await this.#inForceAt(key, record.version);
    return policyInfo(record);
  }

  /** Removes a policy; throws ARQ_ERR_POLICY_NOT_FOUND when none is in force by that name. */
  async remove(name: string, tenant: string | null): Promise<void> {
    checkPolicyName(name);
    checkPolicyTenant(tenant);
    const key = policyKey(name, tenant);
    const removed = await this.#store().remove(key);
    if (!removed) {
      const scope = tenant === null ? 'global' : `of tenant ${JSON.stringify(tenant)}`;
      throw new PolicyError('ARQ_ERR_POLICY_NOT_FOUND', `no ${scope} policy named ${name}`);
    }
    await this.#inForceAt(key, 0);
  }

  #store(): PolicyLedger {
    if (this.#ledger === null)
      throw new PolicyError('ARQ_ERR_POLICY_STORE', 'policy store: the node is still starting');
    return this.#ledger;
  }

  /** True when some policy of `hook` applies to `tenant` (else the hook is skipped entirely). */
  guards(hook: HookName, tenant: string): boolean {
    const scopes = this.#hooked.get(hook);
    return scopes !== undefined && (scopes.has(null) || scopes.has(tenant));
  }

  /** on_connect for an upgrade whose token passed; null: allowed. */
  checkConnect(connection: Omit<LiveConnection, 'drop'>): Promise<PolicyDenial | null> {
    if (!this.guards('on_connect', connection.tenant)) return Promise.resolve(null);
    return this.#evaluate(connectEvaluation(connection));
  }

  /** on_join; `done` gets null (allowed) or the denial. */
  checkJoin(
    tenant: string,
    sub: string,
    room: string,
    meta: unknown,
    done: (denial: PolicyDenial | null) => void,
  ): void {
    const prefix = `{"tenant":${JSON.stringify(tenant)},"sub":${JSON.stringify(sub)},"room":${JSON.stringify(room)},"meta":${JSON.stringify(meta ?? {})}`;
    const evaluation: Evaluation = {
      hook: 'on_join',
      tenant,
      prefix,
      data: null,
      base64: false,
      headers: null,
    };
    void this.#evaluate(evaluation).then(done);
  }

  /** Counts and logs a shard's denial (or failure). */
  record(outcome: PolicyOutcome, where: string): void {
    recordOutcome(outcome, where, this.#o.metrics, this.#o.log);
  }

  #evaluate(evaluation: Evaluation): Promise<PolicyDenial | null> {
    return new Promise((resolve) =>
      this.#runner.evaluate(evaluation, (outcome) => {
        this.record(outcome, 'edge');
        resolve(outcome.allow ? null : { reason: outcome.reason, disconnect: outcome.disconnect });
      }),
    );
  }

  async #compile(bytes: Uint8Array): Promise<CompiledPolicy> {
    const compiled = await this.#o.compiler.compile(bytes);
    this.#compiled.set(compiled.sha256, compiled);
    return compiled;
  }

  /** One change from the ledger, applied in full before the next (the ledger calls one at a time). */
  async #apply(change: PolicyChange): Promise<void> {
    const before = this.#connectIds();
    if (change.record === null) {
      this.#inForce.delete(change.key);
    } else {
      const record = change.record;
      let compiled = this.#compiled.get(record.sha256);
      if (compiled === undefined) {
        try {
          compiled = await this.#compile(change.bytes ?? new Uint8Array(0));
        } catch (error) {
          // Checked where it was pushed; failing here means this node differs (another Node.js).
          this.#o.log(
            `policy ${record.name} v${record.version} cannot be loaded on this node; the previous version stays: ${String(error)}`,
          );
          this.#settle(change.key, record.version);
          return;
        }
      }
      this.#inForce.set(change.key, { record, compiled });
    }
    this.#forgetUnused();
    const policies = this.#runnerPolicies();
    this.#hooked = hookScopes(policies);
    await Promise.all([this.#runner.install(policies), this.#o.deploy(policies)]);
    this.#listed = [...this.#inForce.values()].map((p) => p.record).sort(comparePolicies);
    this.#settle(change.key, change.record?.version ?? 0);
    const after = this.#connectIds();
    if (before !== after) void this.#recheck();
  }

  /** Every live connection in the scope of the on_connect policies runs them again. */
  async #recheck(): Promise<void> {
    const checks: Promise<void>[] = [];
    for (const connection of this.#o.connections()) {
      if (!this.guards('on_connect', connection.tenant)) continue;
      checks.push(
        this.#evaluate(connectEvaluation(connection)).then((denial) => {
          if (denial !== null) connection.drop(denial.reason);
        }),
      );
    }
    await Promise.all(checks);
  }

  #connectIds(): string {
    return [...this.#inForce.values()]
      .filter((p) => p.record.hooks.includes('on_connect'))
      .map((p) => `${policyKey(p.record.name, p.record.tenant)}@${p.record.version}`)
      .sort()
      .join(' ');
  }

  #runnerPolicies(): RunnerPolicy[] {
    return [...this.#inForce.values()]
      .sort((a, b) => comparePolicies(a.record, b.record))
      .map(({ record, compiled }) => ({
        id: `${policyKey(record.name, record.tenant)}@${record.version}`,
        name: record.name,
        tenant: record.tenant,
        version: record.version,
        hooks: record.hooks,
        timeoutMs: record.timeoutMs,
        config: compiled.config,
        module: compiled.module,
      }));
  }

  #forgetUnused(): void {
    const used = new Set([...this.#inForce.values()].map((p) => p.record.sha256));
    for (const sha of this.#compiled.keys()) if (!used.has(sha)) this.#compiled.delete(sha);
  }

  /** Resolves once `key` is at `version` (0: removed) here, or a later one is. */
  #inForceAt(key: string, version: number): Promise<void> {
    const current = this.#inForce.get(key)?.record.version ?? 0;
    if (version === 0 ? current === 0 : current >= version) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.#waiters.get(key) ?? [];
      list.push({ version, resolve });
      this.#waiters.set(key, list);
    });
  }

  #settle(key: string, version: number): void {
    const list = this.#waiters.get(key);
    if (list === undefined) return;
    const left = list.filter((w) => {
      const done = version === 0 ? w.version === 0 : w.version <= version;
      if (done) w.resolve();
      return !done;
    });
    if (left.length === 0) this.#waiters.delete(key);
    else this.#waiters.set(key, left);
  }
}

function connectEvaluation(c: Omit<LiveConnection, 'drop'>): Evaluation {
  return {
    hook: 'on_connect',
    tenant: c.tenant,
    prefix: `{"tenant":${JSON.stringify(c.tenant)},"sub":${JSON.stringify(c.sub)},"claims":${JSON.stringify(c.claims)},"remote":${JSON.stringify(c.remote)}`,
    data: null,
    base64: false,
    headers: null,
  };
}

function hookScopes(policies: readonly RunnerPolicy[]): Map<HookName, Set<string | null>> {
  const scopes = new Map<HookName, Set<string | null>>();
  for (const p of policies) {
    for (const hook of p.hooks) {
      const set = scopes.get(hook) ?? new Set();
      set.add(p.tenant);
      scopes.set(hook, set);
    }
  }
  return scopes;
}

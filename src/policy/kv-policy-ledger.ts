import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import { type ObjectStore, Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import type { HookName } from './hook-name.js';
import { PolicyError } from './policy-error.js';
import type { PolicyChange, PolicyLedger } from './policy-ledger.js';
import { type PolicyRecord, policyKey } from './policy-record.js';

/** Policy records, one key per policy (`global.NAME`, `t-TENANT.NAME`); past versions kept. */
export const POLICY_BUCKET = 'arq_policies';
/** Module bytes by sha256 (an object store: modules may exceed NATS's largest message). */
export const POLICY_MODULE_STORE = 'arq_policy_modules';
/** Versions kept per policy in the bucket's history. */
export const POLICY_HISTORY = 16;

export interface KvPolicyLedgerOptions {
  readonly connection: NatsConnection;
  readonly log: (line: string) => void;
}

/** A record as stored: the version is the entry's revision, not part of the value. */
type StoredRecord = Omit<PolicyRecord, 'version'>;

function storeError(what: string, error: unknown): PolicyError {
  const reason = error instanceof Error ? error.message : String(error);
  return new PolicyError('ARQ_ERR_POLICY_STORE', `policy store: ${what}: ${reason}`, {
    cause: error,
  });
}

/**
 * The cluster's policy set in JetStream: records in a KV bucket, modules in an object store. Every
 * node watches the bucket and applies each change (a push on one node is in force on all within
 * the watch's delivery time, well under PROTOCOL's 2 s); a node that starts later reads the
 * bucket's current records before it watches, and is ready only once it applied them.
 */
export class KvPolicyLedger implements PolicyLedger {
  readonly #kv: KV;
  readonly #modules: ObjectStore;
  readonly #log: (line: string) => void;
  /** The revision applied per key: a change seen twice (read, then watched) is applied once. */
  readonly #seen = new Map<string, number>();
  #watcher: { stop(): void } | null = null;

  private constructor(kv: KV, modules: ObjectStore, log: (line: string) => void) {
    this.#kv = kv;
    this.#modules = modules;
    this.#log = log;
  }

  static async open(options: KvPolicyLedgerOptions): Promise<KvPolicyLedger> {
    try {
      const kv = await new Kvm(options.connection).create(POLICY_BUCKET, {
        history: POLICY_HISTORY,
      });
      const modules = await new Objm(options.connection).create(POLICY_MODULE_STORE);
      return new KvPolicyLedger(kv, modules, options.log);
    } catch (error) {
      throw storeError('cannot open the JetStream bucket (is JetStream on?)', error);
    }
  }

  async watch(onChange: (change: PolicyChange) => Promise<void>): Promise<void> {
    const status = await this.#kv.status();
    const last = status.streamInfo.state.last_seq;
    const current: KvEntry[] = [];
    for await (const key of await this.#kv.keys()) {
      const entry = await this.#kv.get(key);
      if (entry !== null && entry.operation === 'PUT') current.push(entry);
    }
    current.sort((a, b) => a.revision - b.revision);
    for (const entry of current) await this.#deliver(entry, onChange);
    const watcher = await this.#kv.watch({ resumeFromRevision: last + 1 });
    this.#watcher = watcher;
    void (async () => {
      for await (const entry of watcher) {
        try {
          await this.#deliver(entry, onChange);
        } catch (error) {
          this.#log(`policy store: change of ${entry.key} not applied: ${String(error)}`);
        }
      }
    })();
  }

  async put(record: StoredRecord, bytes: Uint8Array): Promise<PolicyRecord> {
    try {
      if ((await this.#modules.info(record.sha256)) === null) {
        await this.#modules.putBlob({ name: record.sha256 }, bytes);
      }
      const value: StoredRecord = {
        name: record.name,
        tenant: record.tenant,
        sha256: record.sha256,
        hooks: record.hooks,
        timeoutMs: record.timeoutMs,
      };
      const revision = await this.#kv.put(
        policyKey(record.name, record.tenant),
        JSON.stringify(value),
      );
      return { ...value, version: revision };
    } catch (error) {
      throw storeError('cannot store the policy', error);
    }
  }

  async remove(key: string): Promise<boolean> {
    try {
      const entry = await this.#kv.get(key);
      if (entry === null || entry.operation !== 'PUT') return false;
      await this.#kv.delete(key);
      return true;
    } catch (error) {
      throw storeError('cannot remove the policy', error);
    }
  }

  async close(): Promise<void> {
    this.#watcher?.stop();
    this.#watcher = null;
  }

  async #deliver(entry: KvEntry, onChange: (change: PolicyChange) => Promise<void>): Promise<void> {
    if ((this.#seen.get(entry.key) ?? 0) >= entry.revision) return;
    this.#seen.set(entry.key, entry.revision);
    if (entry.operation !== 'PUT') {
      await onChange({ key: entry.key, record: null, bytes: null });
      return;
    }
    const stored = entry.json<StoredRecord>();
    const bytes = await this.#modules.getBlob(stored.sha256);
    if (bytes === null) {
      this.#log(`policy store: module ${stored.sha256} of ${entry.key} is missing; not applied`);
      return;
    }
    const record: PolicyRecord = {
      name: stored.name,
      tenant: stored.tenant,
      sha256: stored.sha256,
      hooks: stored.hooks as HookName[],
      timeoutMs: stored.timeoutMs,
      version: entry.revision,
    };
    await onChange({ key: entry.key, record, bytes });
  }
}

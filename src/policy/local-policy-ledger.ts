import type { PolicyChange, PolicyLedger } from './policy-ledger.js';
import { type PolicyRecord, policyKey } from './policy-record.js';

/** The policy set of a node without a cluster: in memory, gone when the node stops. */
export class LocalPolicyLedger implements PolicyLedger {
  readonly #records = new Map<string, PolicyRecord>();
  #version = 0;
  #onChange: ((change: PolicyChange) => Promise<void>) | null = null;
  #chain: Promise<void> = Promise.resolve();

  async watch(onChange: (change: PolicyChange) => Promise<void>): Promise<void> {
    this.#onChange = onChange;
  }

  async put(record: Omit<PolicyRecord, 'version'>, bytes: Uint8Array): Promise<PolicyRecord> {
    const stored: PolicyRecord = { ...record, version: ++this.#version };
    const key = policyKey(record.name, record.tenant);
    this.#records.set(key, stored);
    await this.#emit({ key, record: stored, bytes });
    return stored;
  }

  async remove(key: string): Promise<boolean> {
    if (!this.#records.delete(key)) return false;
    await this.#emit({ key, record: null, bytes: null });
    return true;
  }

  async close(): Promise<void> {
    this.#onChange = null;
  }

  /** Changes reach the watcher one at a time, in the order they were stored. */
  #emit(change: PolicyChange): Promise<void> {
    const onChange = this.#onChange;
    if (onChange === null) return Promise.resolve();
    this.#chain = this.#chain.then(() => onChange(change)).catch(() => {});
    return this.#chain;
  }
}

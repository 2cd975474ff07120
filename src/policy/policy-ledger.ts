import type { PolicyRecord } from './policy-record.js';

/** A change of the stored set: a new version of a policy, or its removal (record null). */
export interface PolicyChange {
  readonly key: string;
  readonly record: PolicyRecord | null;
  /** The module's bytes as pushed (null on removal). */
  readonly bytes: Uint8Array | null;
}

/**
 * Where the node's policy set is kept: in memory for a node alone, in JetStream for a cluster
 * (KvPolicyLedger), so that every node sees every change.
 */
export interface PolicyLedger {
  /**
   * Calls `onChange` for every stored policy, then for every later change (from any node), one at
   * a time; resolves once the stored ones were handed over (and their onChange promises settled).
   */
  watch(onChange: (change: PolicyChange) => Promise<void>): Promise<void>;
  /** Stores a new version (its version assigned by the store); resolves with the record stored. */
  put(record: Omit<PolicyRecord, 'version'>, bytes: Uint8Array): Promise<PolicyRecord>;
  /** Removes a policy; false when there was none. */
  remove(key: string): Promise<boolean>;
  close(): Promise<void>;
}

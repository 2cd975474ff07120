import { PolicyError } from './policy-error.js';
import type { PolicyChange, PolicyLedger } from './policy-ledger.js';
import type { PolicyRecord } from './policy-record.js';

/**
 * The ledger of a cluster node whose NATS has no JetStream: no policy is in force and every push
 * or removal is refused with the reason, rather than kept on this node alone (nodes of one cluster
 * would then enforce different sets).
 */
export class RefusingPolicyLedger implements PolicyLedger {
  readonly #reason: string;

  constructor(reason: string) {
    this.#reason = reason;
  }

  async watch(_onChange: (change: PolicyChange) => Promise<void>): Promise<void> {}

  async put(_record: Omit<PolicyRecord, 'version'>, _bytes: Uint8Array): Promise<PolicyRecord> {
    throw new PolicyError('ARQ_ERR_POLICY_STORE', this.#reason);
  }

  async remove(_key: string): Promise<boolean> {
    throw new PolicyError('ARQ_ERR_POLICY_STORE', this.#reason);
  }

  async close(): Promise<void> {}
}

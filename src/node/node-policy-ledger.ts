import {
  KvPolicyLedger,
  LocalPolicyLedger,
  type PolicyLedger,
  RefusingPolicyLedger,
} from '../policy/index.js';
import type { NodeCluster } from './node-cluster.js';
import type { NodeLog } from './node-log.js';

/** Alone: in memory. In a cluster: JetStream, or, without it, none (pushes are refused). */
export async function nodePolicyLedger(
  cluster: NodeCluster | null,
  log: NodeLog,
): Promise<PolicyLedger> {
  if (cluster === null) return new LocalPolicyLedger();
  try {
    return await KvPolicyLedger.open({
      connection: cluster.connection,
      log: (line) => log.warn(line),
    });
  } catch (error) {
    const reason = `policies need JetStream on the cluster's NATS: ${error instanceof Error ? error.message : String(error)}`;
    log.warn(`${reason}; policy pushes are refused`);
    return new RefusingPolicyLedger(reason);
  }
}

import type { PolicyOutcome } from './runner-messages.js';

/** What a node's metrics record of policy outcomes (NodeMetrics implements it). */
export interface PolicyMetrics {
  policyDenied(policy: string, tenant: string | null): void;
  policyFailed(policy: string, tenant: string | null, kind: string): void;
}

/** A shard's denials and failures, posted to the node (which counts and logs them). */
export interface PolicyReport {
  readonly type: 'policy:report';
  readonly where: string;
  readonly outcome: PolicyOutcome;
}

/** Counts a denying outcome, and logs each failure with the policy's name and version. */
export function recordOutcome(
  outcome: PolicyOutcome,
  where: string,
  metrics: PolicyMetrics,
  log: (line: string) => void,
): void {
  if (outcome.allow || outcome.deniedBy === null) return;
  metrics.policyDenied(outcome.deniedBy.name, outcome.deniedBy.tenant);
  for (const f of outcome.failures) {
    metrics.policyFailed(f.policy, f.tenant, f.kind);
    const scope = f.tenant === null ? 'global' : `tenant ${JSON.stringify(f.tenant)}`;
    log(`policy ${f.policy} v${f.version} (${scope}) failed in ${where}: ${f.message}; denied`);
  }
}

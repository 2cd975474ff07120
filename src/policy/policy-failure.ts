/** How a hook call failed; each kind denies (fail closed) and is counted per policy. */
export type PolicyFailureKind = 'trap' | 'timeout' | 'memory' | 'bad_verdict';

export const POLICY_FAILURE_KINDS: readonly PolicyFailureKind[] = [
  'trap',
  'timeout',
  'memory',
  'bad_verdict',
];

/** One failed hook call, as the runner reports it. */
export interface PolicyFailure {
  readonly policy: string;
  readonly version: number;
  readonly tenant: string | null;
  readonly kind: PolicyFailureKind;
  readonly message: string;
}

// compilePolicy is left out on purpose: it loads Extism, which warns about node:wasi in every
// thread that imports it; only compile threads and runner threads need it.
export type { CompiledPolicy } from './compile-policy.js';
export { HOOK_NAMES, type HookName, isHookName } from './hook-name.js';
export { type HookVerdict, parseVerdict } from './hook-verdict.js';
export { KvPolicyLedger, type KvPolicyLedgerOptions } from './kv-policy-ledger.js';
export { LocalPolicyLedger } from './local-policy-ledger.js';
export { type CompileMode, DEFAULT_COMPILE_TIMEOUT_MS, PolicyCompiler } from './policy-compiler.js';
export { PolicyError, type PolicyErrorCode } from './policy-error.js';
export {
  POLICY_FAILURE_KINDS,
  type PolicyFailure,
  type PolicyFailureKind,
} from './policy-failure.js';
export {
  type LiveConnection,
  type PolicyDenial,
  PolicyHost,
  type PolicyHostOptions,
} from './policy-host.js';
export type { PolicyChange, PolicyLedger } from './policy-ledger.js';
export * from './policy-limits.js';
export { type PolicyInfo, type PolicyRecord, policyKey } from './policy-record.js';
export type { PolicyMetrics, PolicyReport } from './policy-report.js';
export { PolicyRunner, type PolicyRunnerOptions } from './policy-runner.js';
export { RefusingPolicyLedger } from './refusing-policy-ledger.js';
export type { Evaluation, PolicyOutcome, RunnerPolicy } from './runner-messages.js';
export {
  isPolicyDeployment,
  isShardPolicyMessage,
  type PolicyDeployed,
  type PolicyDeployment,
  type PublishDecision,
  type PublishInput,
  ShardPolicyGate,
} from './shard-policy-gate.js';
export { SHIPPED_POLICIES, type ShippedPolicy, shippedPolicyPath } from './shipped-policies.js';
export { uleb128 } from './uleb128.js';
export { isWasm, limitMemory, WASM_PAGE_BYTES } from './wasm-memory-limit.js';

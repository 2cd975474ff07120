import type { HookName } from './hook-name.js';
import { PolicyError } from './policy-error.js';

/** One version of a policy as the store keeps it (the bytes as pushed). */
export interface PolicyRecord {
  readonly name: string;
  /** null: a global policy (every tenant). */
  readonly tenant: string | null;
  /** Grows with every push of any policy (the store's revision): a later push is a larger one. */
  readonly version: number;
  readonly sha256: string;
  readonly hooks: readonly HookName[];
  readonly timeoutMs: number;
}

/** A policy as the admin API and `arq policy ls` show it. */
export interface PolicyInfo {
  readonly name: string;
  readonly tenant: string | null;
  readonly sha256: string;
  readonly hooks: readonly HookName[];
  readonly version: number;
  readonly timeout_ms: number;
}

export function policyInfo(record: PolicyRecord): PolicyInfo {
  return {
    name: record.name,
    tenant: record.tenant,
    sha256: record.sha256,
    hooks: record.hooks,
    version: record.version,
    timeout_ms: record.timeoutMs,
  };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_TENANT_CHARS = 256;

/** Throws ARQ_ERR_POLICY_NAME unless `name` is 1-64 letters, digits, `-` or `_`. */
export function checkPolicyName(name: string): void {
  if (!NAME.test(name)) {
    throw new PolicyError(
      'ARQ_ERR_POLICY_NAME',
      'policy name: 1 to 64 letters, digits, "-" or "_", starting with a letter or digit',
    );
  }
}

export function checkPolicyTenant(tenant: string | null): void {
  if (tenant !== null && (tenant.length === 0 || tenant.length > MAX_TENANT_CHARS)) {
    throw new PolicyError('ARQ_ERR_POLICY_NAME', `tenant: 1 to ${MAX_TENANT_CHARS} characters`);
  }
}

/**
 * The store key of a policy: its scope, then its name. Tenants are free text, so they are
 * base64url-encoded into what NATS KV keys allow.
 */
export function policyKey(name: string, tenant: string | null): string {
  const scope = tenant === null ? 'global' : `t-${Buffer.from(tenant).toString('base64url')}`;
  return `${scope}.${name}`;
}

/** Global policies first, then per tenant; inside a scope by name (PROTOCOL section 6's order). */
export function comparePolicies(a: PolicyRecord, b: PolicyRecord): number {
  if (a.tenant !== b.tenant) {
    if (a.tenant === null) return -1;
    if (b.tenant === null) return 1;
    return a.tenant < b.tenant ? -1 : 1;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

import { fileURLToPath } from 'node:url';

/** The policies the build compiles from src/policy/assembly (README's examples). */
export const SHIPPED_POLICIES = ['ban-all', 'pii-redact', 'deny-words', 'room-firewall'] as const;

export type ShippedPolicy = (typeof SHIPPED_POLICIES)[number];

/** Where the build put a shipped policy's module (dist/policies/NAME.wasm). */
export function shippedPolicyPath(name: ShippedPolicy): string {
  return fileURLToPath(new URL(`../../policies/${name}.wasm`, import.meta.url));
}

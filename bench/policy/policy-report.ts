import { type FanoutResult, figures } from '../fanout/index.js';
import { median } from '../lib/index.js';
import type { PolicyVariant } from './policy-variants.js';

/** Issue 14's targets for pii-redact against no policy, same run. */
export const TARGET_CPU_RATIO = 1.1;
export const TARGET_P99_ADDED_MS = 1;

export interface PolicyCase {
  /** The server's label without the variant. */
  readonly server: string;
  readonly variant: PolicyVariant;
  readonly result: FanoutResult;
}

const cpuPerDelivery = (r: FanoutResult): number =>
  (r.serverUserUs + r.serverSystemUs) / r.deliveries;
const cpuPerPublish = (r: FanoutResult): number =>
  (r.serverUserUs + r.serverSystemUs) / Math.max(1, r.published);

/**
 * Per server and variant: CPU per delivery against the no-policy case of the same round, the p99
 * it adds, and the cost of one hook call (server CPU per publish added, over the hooks a publish
 * runs). The targets are read on pii-redact, the medians over rounds.
 */
export function policyVerdict(cases: readonly PolicyCase[]): string[] {
  const lines: string[] = [];
  const measured = cases.filter((c) => c.result.deliveries > 0);
  const servers = [...new Set(measured.map((c) => c.server))];
  for (const server of servers) {
    const mine = measured.filter((c) => c.server === server);
    const names = [...new Set(mine.map((c) => c.variant.name))].filter((n) => n !== 'none');
    for (const name of names) {
      const pairs = mine
        .filter((c) => c.variant.name === name)
        .flatMap((c) => {
          const base = mine.find(
            (b) => b.variant.name === 'none' && b.result.round === c.result.round,
          );
          return base === undefined ? [] : [{ c, base }];
        });
      if (pairs.length === 0) continue;
      const variant = pairs[0]!.c.variant;
      const ratios = pairs.map((p) => cpuPerDelivery(p.c.result) / cpuPerDelivery(p.base.result));
      const addedP99 = pairs.map((p) => (p.c.result.p99Us - p.base.result.p99Us) / 1000);
      const hookUs = pairs.map(
        (p) => (cpuPerPublish(p.c.result) - cpuPerPublish(p.base.result)) / variant.policies.length,
      );
      const where = `${server}, ${variant.label}`;
      const targets =
        name === 'pii-redact'
          ? `; targets <= ${TARGET_CPU_RATIO}x CPU: ${median(ratios) <= TARGET_CPU_RATIO ? 'meets' : 'MISSES'}, <= +${TARGET_P99_ADDED_MS} ms p99: ${median(addedP99) <= TARGET_P99_ADDED_MS ? 'meets' : 'MISSES'}`
          : '';
      lines.push(
        `${where}: CPU/delivery ${figures(
          pairs.map((p) => cpuPerDelivery(p.c.result)),
          2,
          ' µs',
        )} against ${figures(
          pairs.map((p) => cpuPerDelivery(p.base.result)),
          2,
          ' µs',
        )} with no policy, ratio ${figures(ratios, 2, 'x')}; p99 ${figures(addedP99, 2, ' ms')} added; ${figures(hookUs, 1, ' µs')} of server CPU per hook call${targets}`,
      );
    }
  }
  return lines;
}

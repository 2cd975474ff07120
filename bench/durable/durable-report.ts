import { type FanoutResult, figures } from '../fanout/index.js';
import { markdownTable, median } from '../lib/index.js';
import type { ThroughputResult } from './publish-throughput.js';
import type { RecoveryResult } from './recovery-case.js';

/** Targets of issue 15, each against the in-memory room of the same run. */
export const TARGET_CPU_VS_MEMORY = 2;
export const TARGET_P99_MS = 10;
export const TARGET_RECOVERY_MS = 1000;

export interface DurablePair {
  readonly round: number;
  readonly memory: FanoutResult;
  readonly durable: FanoutResult;
}

const perDelivery = (us: number, r: FanoutResult): number =>
  r.deliveries === 0 ? Number.NaN : us / r.deliveries;
const fixed = (n: number, digits = 2): string => (Number.isNaN(n) ? '-' : n.toFixed(digits));
const nodeUs = (r: FanoutResult): number => r.serverUserUs + r.serverSystemUs;

/** Durable against in-memory, round by round: the node alone, and the node with its nats-server. */
export function pairTable(pairs: readonly DurablePair[]): string {
  return markdownTable(
    [
      'round',
      'room',
      'node µs/deliv',
      'node + NATS µs/deliv',
      'vs in-memory (node)',
      'vs in-memory (node + NATS)',
      'p50 ms',
      'p99 ms',
    ],
    pairs.flatMap(({ round, memory, durable }) =>
      [memory, durable].map((r) => {
        const node = perDelivery(nodeUs(r), r);
        const all = perDelivery(nodeUs(r) + r.companionCpuUs, r);
        const mNode = perDelivery(nodeUs(memory), memory);
        const mAll = perDelivery(nodeUs(memory) + memory.companionCpuUs, memory);
        return [
          String(round),
          r === memory ? 'in-memory' : 'durable',
          fixed(node),
          fixed(all),
          `${fixed(node / mNode)}x`,
          `${fixed(all / mAll)}x`,
          fixed(r.p50Us / 1000),
          fixed(r.p99Us / 1000),
        ];
      }),
    ),
  );
}

export function throughputTable(
  rows: readonly { readonly room: string; readonly result: ThroughputResult }[],
): string {
  return markdownTable(
    [
      'room',
      'rooms',
      'in flight',
      'ok/s',
      'ack p50 ms',
      'ack p99 ms',
      'node µs/publish',
      'NATS µs/publish',
      'errors',
    ],
    rows.map(({ room, result: r }) => [
      room,
      String(r.rooms),
      String(r.inFlight),
      Math.round(r.ok / r.seconds).toLocaleString('en-US'),
      fixed(r.ackP50Us / 1000),
      fixed(r.ackP99Us / 1000),
      fixed(r.ok === 0 ? Number.NaN : r.serverCpuUs / r.ok, 1),
      fixed(r.ok === 0 ? Number.NaN : r.natsCpuUs / r.ok, 1),
      Object.entries(r.errors)
        .map(([code, n]) => `${code} x${n}`)
        .join(', ') || '0',
    ]),
  );
}

export function recoveryTable(result: RecoveryResult): string {
  return markdownTable(
    ['replay', 'messages', 'received', 'recovered', 'each once, in order', 'ms'],
    (
      [
        ['warm (owner has the window)', result.warm],
        ['cold (fresh node reads the stream)', result.cold],
      ] as const
    ).map(([name, r]) => [
      name,
      String(result.messages),
      String(r.received),
      String(r.recovered),
      r.exact ? 'yes' : 'NO',
      fixed(r.ms, 0),
    ]),
  );
}

/** One line per target: the median over rounds, met or missed. */
export function durableVerdict(
  pairs: readonly DurablePair[],
  recovery: RecoveryResult | null,
): string[] {
  const lines: string[] = [];
  if (pairs.length > 0) {
    const ratiosNode = pairs.map(
      (p) => perDelivery(nodeUs(p.durable), p.durable) / perDelivery(nodeUs(p.memory), p.memory),
    );
    const ratiosAll = pairs.map(
      (p) =>
        perDelivery(nodeUs(p.durable) + p.durable.companionCpuUs, p.durable) /
        perDelivery(nodeUs(p.memory) + p.memory.companionCpuUs, p.memory),
    );
    const p99s = pairs.map((p) => p.durable.p99Us / 1000);
    const met = (ok: boolean): string => (ok ? 'met' : 'missed');
    lines.push(
      `CPU per delivery, durable vs in-memory, node alone: ${figures(ratiosNode, 2, 'x')} (target ${TARGET_CPU_VS_MEMORY}x: ${met(median(ratiosNode) <= TARGET_CPU_VS_MEMORY)})`,
      `CPU per delivery, durable vs in-memory, node + nats-server: ${figures(ratiosAll, 2, 'x')} (target ${TARGET_CPU_VS_MEMORY}x: ${met(median(ratiosAll) <= TARGET_CPU_VS_MEMORY)})`,
      `p99 publish-to-delivery of the durable room: ${figures(p99s, 2, ' ms')} (target ${TARGET_P99_MS} ms: ${met(median(p99s) < TARGET_P99_MS)})`,
    );
    for (const p of pairs)
      for (const r of [p.memory, p.durable])
        if (r.missing > 0 || r.duplicates > 0)
          lines.push(
            `${r.server} round ${p.round}: ${r.missing} missing, ${r.duplicates} duplicates`,
          );
  }
  if (recovery !== null) {
    const worst = Math.max(recovery.warm.ms, recovery.cold.ms);
    lines.push(
      `recovery of ${recovery.messages} missed messages: warm ${fixed(recovery.warm.ms, 0)} ms, cold ${fixed(recovery.cold.ms, 0)} ms (target ${TARGET_RECOVERY_MS} ms: ${worst < TARGET_RECOVERY_MS ? 'met' : 'missed'})`,
    );
  }
  return lines;
}

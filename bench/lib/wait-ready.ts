import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError } from './bench-error.js';
import { BENCH_HOST } from './bench-host.js';

export const DEFAULT_NODE_READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;

/**
 * Polls an ArqonBus node's /readyz until it answers 200. A node with `--nats` listens before it has
 * heard the cluster (and, with durable rooms, opened its stream) and refuses upgrades with 503
 * until then.
 */
export async function waitReady(
  port: number,
  timeoutMs: number = DEFAULT_NODE_READY_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://${BENCH_HOST}:${port}/readyz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) return;
    await sleep(READY_POLL_MS);
  }
  throw new BenchError('ARQ_ERR_BENCH_TIMEOUT', `the node on port ${port} did not become ready`);
}

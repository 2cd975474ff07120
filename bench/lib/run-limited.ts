import { BenchError } from './bench-error.js';

/** Runs `task(0..count-1)` with at most `concurrency` in flight; resolves when all have settled. */
export async function runLimited(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new BenchError(
      'ARQ_ERR_BENCH_OPTIONS',
      `concurrency must be a positive integer, got ${concurrency}`,
    );
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

import { BenchError } from './bench-error.js';
import type { FailedReport } from './generator-handle.js';

/**
 * The generator's side of the IPC channel. A command handler that throws (or rejects) is reported to
 * the coordinator as `failed` and ends the process: a generator in an unknown state measures nothing.
 */
export class GeneratorPort<
  C extends { readonly type: string },
  R extends { readonly type: string },
> {
  constructor(handle: (command: C) => void | Promise<void>) {
    if (process.send === undefined)
      throw new BenchError('ARQ_ERR_BENCH_GENERATOR', 'a generator must be forked with IPC');
    process.on('message', (command: C) => {
      Promise.resolve()
        .then(() => handle(command))
        .catch((error: unknown) => this.fail(error));
    });
    // The coordinator died or let go: nothing left to measure for.
    process.once('disconnect', () => process.exit(0));
  }

  report(report: R): void {
    process.send?.(report);
  }

  fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const failed: FailedReport = { type: 'failed', message };
    process.send?.(failed, () => process.exit(1));
  }
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summariseCpuProfile } from '../lib/index.js';
import type { FanoutResult } from './fanout-case.js';
import { describeShape } from './fanout-shapes.js';

const TOP_FUNCTIONS = 15;

/** Markdown lines: per server thread, busy time in the window and the hottest functions (self time). */
export function profileReport(result: FanoutResult, dir: string | undefined): string[] {
  const where = `${result.server}, ${describeShape(result.shape)} at ${result.shape.rate} pub/s`;
  const lines = [
    '',
    `Profile of ${where} (window only; the profiler's own cost inflates these times, ${Math.round(result.deliveries / result.windowS).toLocaleString('en-US')} deliveries/s while profiled):`,
  ];
  for (const [i, { thread, profile }] of result.profiles.entries()) {
    const summary = summariseCpuProfile(profile, TOP_FUNCTIONS);
    lines.push(
      '',
      `${thread}: busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`,
      '',
      '| self ms | share of busy | function |',
      '| --- | --- | --- |',
      ...summary.top.map(
        (f) => `| ${f.selfMs.toFixed(0)} | ${(f.share * 100).toFixed(1)}% | \`${f.where}\` |`,
      ),
    );
    if (dir !== undefined) {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${result.shape.name}-${i}-${thread.replace(/\W+/g, '_')}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      lines.push('', `(${file})`);
    }
  }
  return lines;
}

import { frozenBuildInfo } from './frozen-build.js';
import { formatLoadAverage, formatMachineInfo, machineInfo } from './machine-info.js';
import type { QuietResult } from './wait-for-quiet.js';

/**
 * The first lines of every bench report: machine, the exact command, which build, and how loaded
 * the machine was at start and end (and whether the bench waited for it to calm down).
 */
export function runHeader(script: string, startLoad: string, quiet: QuietResult | null): string[] {
  const command = `node ${script} ${process.argv.slice(2).join(' ')}`.trim();
  const waited =
    quiet === null
      ? ' (did not wait for a quiet machine)'
      : quiet.quiet
        ? ` (quiet after ${Math.round(quiet.waitedMs / 1000)} s)`
        : ` (machine never calmed down within ${Math.round(quiet.waitedMs / 60000)} min; ran anyway)`;
  return [
    `Machine: ${formatMachineInfo(machineInfo())}`,
    `Command: \`${command}\``,
    `Build: ${frozenBuildInfo() ?? 'dist/ as is (not frozen)'}`,
    `Load average (1/5/15 min) at start: ${startLoad}; at end: ${formatLoadAverage()}${waited}`,
  ];
}

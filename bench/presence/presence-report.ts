import { markdownTable } from '../lib/index.js';
import type { PresenceResult } from './presence-case.js';

const KIB = 1024;
const MIB = 1024 * 1024;

export function presenceTable(results: readonly PresenceResult[]): string {
  return markdownTable(
    [
      'members',
      'nodes',
      'coalesce ms',
      'all joined s',
      'converged s',
      'presence frames',
      'frames/s',
      'bound/s',
      'MiB/s',
      'RSS KiB/member',
      'after 10 s idle',
      'of which JS',
      'late joiner state ms',
    ],
    results.map((r) => [
      String(r.members),
      String(r.nodes),
      String(r.coalesceMs),
      r.joinS.toFixed(1),
      r.convergeS === null ? 'not converged' : r.convergeS.toFixed(1),
      String(r.frames),
      Math.round(r.framesPerS).toString(),
      r.frameBoundPerS === null ? '-' : Math.round(r.frameBoundPerS).toString(),
      (r.bytesPerS / MIB).toFixed(1),
      (r.rssPerMemberBytes / KIB).toFixed(2),
      (r.rssSettledPerMemberBytes / KIB).toFixed(2),
      (r.jsSettledPerMemberBytes / KIB).toFixed(2),
      `${r.lateStateMs} (${r.lateEntries} entries, ${(r.lateStateBytes / KIB).toFixed(0)} KiB)`,
    ]),
  );
}

import { markdownTable } from '../lib/index.js';
import type { ConnectionsResult } from './connections-case.js';

/** Issue target: resident memory per idle, authenticated, joined ArqonBus connection. */
export const TARGET_KIB_PER_CONNECTION = 2.5;

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
export const kibPerConnection = (r: ConnectionsResult): number =>
  (r.rssAfterBytes - r.rssBeforeBytes) / 1024 / r.connections;
export const kibPerConnectionAfterGc = (r: ConnectionsResult): number =>
  (r.rssAfterGcBytes - r.rssBeforeGcBytes) / 1024 / r.connections;

export function connectionsTable(results: readonly ConnectionsResult[]): string {
  return markdownTable(
    [
      'server',
      'connections',
      'RSS before MiB',
      'RSS after MiB',
      'KiB per connection',
      'RSS before, full GC MiB',
      'RSS after, full GC MiB',
      'KiB per connection, full GC',
      'connect+join s',
      'retried attempts',
      'load 1m',
    ],
    results.map((r) => [
      r.server,
      r.connections.toLocaleString('en-US'),
      mib(r.rssBeforeBytes),
      mib(r.rssAfterBytes),
      kibPerConnection(r).toFixed(2),
      mib(r.rssBeforeGcBytes),
      mib(r.rssAfterGcBytes),
      kibPerConnectionAfterGc(r).toFixed(2),
      r.connectS.toFixed(1),
      String(r.retries),
      r.load1.toFixed(2),
    ]),
  );
}

export function connectionsVerdict(results: readonly ConnectionsResult[]): string[] {
  return results
    .filter((r) => r.server.startsWith('ArqonBus'))
    .map((r) => {
      const kib = kibPerConnection(r);
      const gc = kibPerConnectionAfterGc(r);
      const verdict = (n: number): string => (n <= TARGET_KIB_PER_CONNECTION ? 'meets' : 'MISSES');
      return `${r.server}, ${r.connections.toLocaleString('en-US')} connections: ${kib.toFixed(2)} KiB per connection settled (${verdict(kib)}), ${gc.toFixed(2)} KiB after a full GC (${verdict(gc)}); target <= ${TARGET_KIB_PER_CONNECTION} KiB`;
    });
}

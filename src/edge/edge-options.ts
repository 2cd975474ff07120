import type { Principal } from '../auth/index.js';
import type { NodeMetrics } from '../metrics/index.js';

/** The node's readiness, as /readyz reports it. */
export type Readiness = 'starting' | 'ready' | 'draining';

export interface EdgeOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  readonly hardMaxFrameBytes: number;
  readonly maxSendBufferBytes: number;
  readonly heartbeatMs: number;
  readonly maxConnectionsPerTenant: number;
  readonly maxHttpBodyBytes: number;
  readonly publicMetrics: boolean;
  readonly metrics: NodeMetrics;
  readonly verify: (token: string) => Promise<Principal>;
  readonly readiness: () => Readiness;
  /**
   * Present only with --chaos: terminates a shard thread; returns the shard killed, or null when it
   * is not running. Throws a WireError for a shard that does not exist.
   */
  readonly killWorker: ((shard: number | null) => number | null) | null;
}

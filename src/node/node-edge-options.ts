import type { NodeConfig } from '../config/index.js';
import type { EdgeOptions } from '../edge/index.js';

/** What the edge needs from the node besides its config. */
export type NodeEdgeHooks = Pick<
  EdgeOptions,
  'metrics' | 'verify' | 'readiness' | 'checkConnect'
> & {
  /** Used only with --chaos. */
  readonly killWorker: NonNullable<EdgeOptions['killWorker']>;
};

/** The edge server's options from the node's config. */
export function nodeEdgeOptions(config: NodeConfig, hooks: NodeEdgeHooks): EdgeOptions {
  return {
    host: config.host,
    port: config.port,
    tls:
      config.tlsCert !== null && config.tlsKey !== null
        ? { certFile: config.tlsCert, keyFile: config.tlsKey }
        : null,
    hardMaxFrameBytes: config.hardMaxFrameBytes,
    maxSendBufferBytes: config.maxSendBufferBytes,
    heartbeatMs: config.heartbeatMs,
    maxConnectionsPerTenant: config.maxConnectionsPerTenant,
    maxHttpBodyBytes: config.maxFrameBytes,
    publicMetrics: config.publicMetrics,
    metrics: hooks.metrics,
    verify: hooks.verify,
    readiness: hooks.readiness,
    checkConnect: hooks.checkConnect,
    killWorker: config.chaos ? hooks.killWorker : null,
  };
}

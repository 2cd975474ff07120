import { LocalCluster } from '../cluster/index.js';
import {
  BENCH_HOST,
  type NodeMemory,
  readNodeMemory,
  readVmRssBytes,
  type ServerProcess,
  startBenchServer,
} from '../lib/index.js';

export interface PresenceNodesOptions {
  /** 1: one standalone node; more: a nats-server and that many `arq start --nats` nodes. */
  readonly nodes: number;
  /** `--presence-coalesce-ms` of every node. */
  readonly coalesceMs: number;
  readonly secret: string;
  readonly log: (line: string) => void;
}

/**
 * The node or nodes a presence case runs against, each with one shard worker. Memory is summed over
 * the nodes: on a cluster every node holds its own members' sockets and a whole replica of the room.
 */
export class PresenceNodes {
  readonly #ports: readonly number[];
  readonly #pids: readonly number[];
  readonly #stop: () => Promise<void>;

  private constructor(
    ports: readonly number[],
    pids: readonly number[],
    stop: () => Promise<void>,
  ) {
    this.#ports = ports;
    this.#pids = pids;
    this.#stop = stop;
  }

  static async start(options: PresenceNodesOptions): Promise<PresenceNodes> {
    const flags = ['--presence-coalesce-ms', String(options.coalesceMs)];
    if (options.nodes === 1) {
      const server: ServerProcess = await startBenchServer(
        { kind: 'arqon', workers: 1, ringLingerMs: null },
        { secret: options.secret, arqonArgs: flags },
      );
      return new PresenceNodes([server.port], [server.pid], async () => {
        const code = await server.stop();
        if (code !== 0 && code !== null)
          options.log(`  node exited with ${code}:\n${server.outputTail}`);
      });
    }
    const cluster = await LocalCluster.start({
      nodes: options.nodes,
      secret: options.secret,
      workers: 1,
      extraFlags: flags,
      log: options.log,
    });
    return new PresenceNodes(cluster.ports, cluster.nodePids, () => cluster.stop(options.log));
  }

  get count(): number {
    return this.#ports.length;
  }

  /** The WebSocket URL of node `i` (0-based). */
  url(i: number): string {
    return `ws://${BENCH_HOST}:${this.#ports[i % this.#ports.length]}`;
  }

  /** VmRSS summed over the nodes. */
  rssBytes(): number {
    return this.#pids.reduce((sum, pid) => sum + readVmRssBytes(pid), 0);
  }

  /** V8 heap used plus external memory, summed over the nodes. */
  async jsBytes(): Promise<number> {
    const memories: NodeMemory[] = await Promise.all(
      this.#ports.map((port) => readNodeMemory(BENCH_HOST, port)),
    );
    return memories.reduce((sum, m) => sum + m.heapUsedBytes + m.externalBytes, 0);
  }

  stop(): Promise<void> {
    return this.#stop();
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ARQON_BENCH_FLAGS, BENCH_HOST, ServerProcess, waitReady } from '../lib/index.js';
import { NatsProcess } from './nats-process.js';

/**
 * After every /readyz answers 200, wait this long more: readiness means one heartbeat round was
 * heard, and every node must have heard every other (heartbeats every down-after-ms / 4 = 750 ms by
 * default) before they agree on room owners.
 */
const RING_SETTLE_MS = 2_000;
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface LocalClusterOptions {
  readonly nodes: number;
  /** HS256 secret every node verifies tokens with. */
  readonly secret: string;
  readonly workers: number;
  /** Extra `arq start` flags for every node. */
  readonly extraFlags: readonly string[];
  readonly log: (line: string) => void;
}

/** A nats-server and N `arq start --nats` node processes on this machine, as in production. */
export class LocalCluster {
  readonly #nats: NatsProcess;
  readonly #nodes: readonly ServerProcess[];

  private constructor(nats: NatsProcess, nodes: readonly ServerProcess[]) {
    this.#nats = nats;
    this.#nodes = nodes;
  }

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const nats = await NatsProcess.start();
    const started = await Promise.allSettled(
      Array.from({ length: options.nodes }, (_, i) =>
        ServerProcess.start({
          script: MAIN,
          args: [
            'start',
            '--host',
            BENCH_HOST,
            '--port',
            '0',
            '--node-id',
            `bench-${i + 1}`,
            '--workers',
            String(options.workers),
            '--nats',
            nats.url,
            ...ARQON_BENCH_FLAGS,
            ...options.extraFlags,
          ],
          env: { ...process.env, ARQ_JWT_SECRET: options.secret },
        }),
      ),
    );
    const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const cluster = new LocalCluster(nats, nodes);
    const failed = started.find((r) => r.status === 'rejected');
    try {
      if (failed !== undefined) throw failed.reason;
      await Promise.all(nodes.map((node) => waitReady(node.port)));
      await sleep(RING_SETTLE_MS);
    } catch (error) {
      await cluster.stop(options.log);
      throw error;
    }
    return cluster;
  }

  get natsPid(): number {
    return this.#nats.pid;
  }

  get nodePids(): readonly number[] {
    return this.#nodes.map((n) => n.pid);
  }

  /** The HTTP and WebSocket port of each node. */
  get ports(): readonly number[] {
    return this.#nodes.map((n) => n.port);
  }

  /** `ws://host:port` of each node. */
  get urls(): readonly string[] {
    return this.#nodes.map((n) => `ws://${BENCH_HOST}:${n.port}`);
  }

  /** The last lines each node printed, for error reports. */
  get outputTails(): string {
    return this.#nodes.map((n, i) => `--- node ${i + 1} ---\n${n.outputTail}`).join('\n');
  }

  async stop(log: (line: string) => void): Promise<void> {
    const codes = await Promise.all(this.#nodes.map((n) => n.stop()));
    for (const [i, code] of codes.entries())
      if (code !== 0 && code !== null)
        log(`  node ${i + 1} exited with ${code}:\n${this.#nodes[i]!.outputTail}`);
    await this.#nats.stop();
  }
}

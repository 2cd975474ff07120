import { BenchError, cpuDelta, LatencyHistogram, monotonicNs, readProcCpu } from '../lib/index.js';
import { DurableClient } from './durable-client.js';

export interface ThroughputOptions {
  readonly port: number;
  readonly secret: string;
  /** The publisher's rooms, published to in turn. */
  readonly rooms: readonly string[];
  /** Publishes in flight at once (each waits for its `ok`). */
  readonly inFlight: number;
  readonly seconds: number;
  readonly timeoutMs: number;
  /** The node's and nats-server's pids, whose CPU is read over the run. */
  readonly serverPid: number;
  readonly natsPid: number;
}

export interface ThroughputResult {
  readonly rooms: number;
  readonly inFlight: number;
  readonly seconds: number;
  readonly ok: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly ackP50Us: number;
  readonly ackP99Us: number;
  readonly serverCpuUs: number;
  readonly natsCpuUs: number;
}

/**
 * Closed loop: one connection keeps `inFlight` publishes with refs outstanding for `seconds`; a
 * durable room answers `ok` only once JetStream stored the message, so this is the rate at which
 * a room can be written, and the ack latency is publish-to-stored.
 */
export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const client = await DurableClient.connect({
    port: options.port,
    secret: options.secret,
    sub: 'throughput',
    timeoutMs: options.timeoutMs,
    onMessage: () => {},
  });
  try {
    for (const room of options.rooms) {
      const joined = await client.request({ op: 'join', room });
      if (joined.status !== 'ok')
        throw new BenchError('ARQ_ERR_BENCH_CLIENT', `join ${room}: ${joined.code}`);
    }
    const histogram = new LatencyHistogram();
    const errors: Record<string, number> = {};
    let ok = 0;
    let sent = 0;
    const serverBefore = readProcCpu(options.serverPid);
    const natsBefore = readProcCpu(options.natsPid);
    const startNs = monotonicNs();
    const endNs = startNs + options.seconds * 1e9;
    const lane = async (): Promise<void> => {
      while (monotonicNs() < endNs) {
        const room = options.rooms[sent++ % options.rooms.length]!;
        const t0 = monotonicNs();
        const reply = await client.request({ op: 'publish', room, data: { n: sent } });
        if (reply.status === 'ok') {
          ok++;
          histogram.record((monotonicNs() - t0) / 1000);
        } else errors[reply.code] = (errors[reply.code] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: options.inFlight }, lane));
    const seconds = (monotonicNs() - startNs) / 1e9;
    const server = cpuDelta(serverBefore, readProcCpu(options.serverPid));
    const nats = cpuDelta(natsBefore, readProcCpu(options.natsPid));
    return {
      rooms: options.rooms.length,
      inFlight: options.inFlight,
      seconds,
      ok,
      errors,
      ackP50Us: histogram.percentile(0.5),
      ackP99Us: histogram.percentile(0.99),
      serverCpuUs: server.userUs + server.systemUs,
      natsCpuUs: nats.userUs + nats.systemUs,
    };
  } finally {
    client.close();
  }
}

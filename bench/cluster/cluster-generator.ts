/*
 * A cluster load generator process (forked by cluster-bench), one per node: it connects that node's
 * members of the room, publishes open loop from one of them, and records for every delivery the
 * latency (receive - send, both CLOCK_MONOTONIC, shared by every process of the machine) by the
 * publisher's node. One member watches presence and reports when it first sees a probe's join.
 */
import { TokenSigner } from '../../src/auth/index.js';
import { GeneratorPort, LatencyHistogram, monotonicNs, runLimited } from '../lib/index.js';
import { ClusterClient, type ClusterClientHandlers } from './cluster-client.js';
import { type ClusterCommand, type ClusterReport, PROBE_PREFIX } from './cluster-messages.js';

const TOKEN_TTL = '2h';
const TICK_MS = 1;
const CONNECT_ATTEMPTS = 3;
const RETRY_PAUSE_MS = 200;

type Setup = Extract<ClusterCommand, { type: 'setup' }>;

let setup: Setup | null = null;
let signer: TokenSigner | null = null;
const clients: ClusterClient[] = [];
let publisher: ClusterClient | null = null;
const probes = new Map<string, ClusterClient>();
const seen = new Set<string>();

let histograms: LatencyHistogram[] = [];
let windowStartNs = Number.POSITIVE_INFINITY;
let windowEndNs = Number.NEGATIVE_INFINITY;
let published = 0;
let deliveries = 0;
let closed = 0;
let errors: Record<string, number> = {};
let cpuAtStart = process.cpuUsage();
let cpuInWindow: NodeJS.CpuUsage | null = null;
let cpuTimers: NodeJS.Timeout[] = [];
let lateMs = 0;
let ticker: NodeJS.Timeout | null = null;

const countError = (code: string): void => {
  errors[code] = (errors[code] ?? 0) + 1;
};

function handlers(watch: boolean): ClusterClientHandlers {
  return {
    onDelivery(sentNs, fromNode) {
      if (sentNs < windowStartNs || sentNs >= windowEndNs) return;
      deliveries++;
      const histogram = histograms[fromNode];
      if (histogram === undefined) countError('unknown_publisher_node');
      else histogram.record((monotonicNs() - sentNs) / 1000);
    },
    onPresenceJoin(sub) {
      if (!watch || !sub.startsWith(PROBE_PREFIX) || seen.has(sub)) return;
      seen.add(sub);
      port.report({ type: 'seen', node: setup!.node, sub, atNs: monotonicNs() });
    },
    onError: countError,
    onClose() {
      closed++;
    },
  };
}

async function connect(sub: string, watch: boolean): Promise<ClusterClient> {
  const token = await signer!.sign({ tenant: setup!.tenant, sub, rooms: ['>'], ttl: TOKEN_TTL });
  return ClusterClient.connect({
    url: setup!.url,
    token,
    timeoutMs: setup!.timeoutMs,
    watchPresence: watch,
    handlers: handlers(watch),
  });
}

async function connectAndJoin(sub: string, watch: boolean): Promise<{ retries: number }> {
  for (let attempt = 1; ; attempt++) {
    let client: ClusterClient | null = null;
    try {
      client = await connect(sub, watch);
      await client.join(setup!.room);
      clients.push(client);
      if (publisher === null) publisher = client;
      return { retries: attempt - 1 };
    } catch (error) {
      client?.close();
      if (attempt >= CONNECT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * attempt));
    }
  }
}

async function start(command: Setup): Promise<void> {
  setup = command;
  signer = new TokenSigner({ secret: command.secret });
  histograms = Array.from({ length: command.nodes }, () => new LatencyHistogram());
  // The publisher first (member 0), then the watcher (member 1), then the rest, concurrently.
  let retries = (await connectAndJoin(`n${command.node}-m0`, false)).retries;
  if (command.members > 1) retries += (await connectAndJoin(`n${command.node}-m1`, true)).retries;
  await runLimited(Math.max(0, command.members - 2), command.concurrency, async (i) => {
    retries += (await connectAndJoin(`n${command.node}-m${i + 2}`, false)).retries;
  });
  port.report({ type: 'ready', clients: clients.length, retries });
}

function setRate(rate: number): void {
  if (ticker !== null) clearInterval(ticker);
  ticker = null;
  if (rate <= 0 || publisher === null) return;
  const client = publisher;
  const { room, node } = setup!;
  const startNs = monotonicNs();
  let sent = 0;
  // A 1 ms timer fires a little late; each tick sends what the schedule says is due by now.
  ticker = setInterval(() => {
    const due = Math.floor(((monotonicNs() - startNs) * rate) / 1e9);
    for (; sent < due; sent++) {
      const now = monotonicNs();
      client.publish(room, now, node);
      if (now >= windowStartNs && now < windowEndNs) published++;
    }
  }, TICK_MS);
}

function openWindow(startNs: number, endNs: number): void {
  for (const h of histograms) h.reset();
  for (const t of cpuTimers) clearTimeout(t);
  windowStartNs = startNs;
  windowEndNs = endNs;
  published = 0;
  deliveries = 0;
  closed = 0;
  errors = {};
  cpuInWindow = null;
  const now = monotonicNs();
  lateMs = Math.max(0, (now - startNs) / 1e6);
  cpuTimers = [
    setTimeout(
      () => {
        cpuAtStart = process.cpuUsage();
      },
      Math.max(0, (startNs - now) / 1e6),
    ),
    setTimeout(
      () => {
        cpuInWindow = process.cpuUsage(cpuAtStart);
      },
      Math.max(0, (endNs - now) / 1e6),
    ),
  ];
}

function collect(): void {
  const cpu = cpuInWindow ?? process.cpuUsage(cpuAtStart);
  port.report({
    type: 'collected',
    node: setup!.node,
    published,
    deliveries,
    byPublisher: histograms.map((h) => h.snapshot()),
    errors,
    closed,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    lateMs,
  });
}

async function probe(sub: string): Promise<void> {
  const client = await connect(sub, false);
  probes.set(sub, client);
  const sentNs = monotonicNs();
  await client.join(setup!.room);
  port.report({ type: 'probed', sub, sentNs, repliedNs: monotonicNs() });
}

function unprobe(sub: string): void {
  probes.get(sub)?.close();
  probes.delete(sub);
  port.report({ type: 'unprobed' });
}

function stop(): void {
  if (ticker !== null) clearInterval(ticker);
  for (const t of cpuTimers) clearTimeout(t);
  for (const client of [...clients, ...probes.values()]) client.close();
  port.report({ type: 'stopped' });
}

const port = new GeneratorPort<ClusterCommand, ClusterReport>((command) => {
  switch (command.type) {
    case 'setup':
      return start(command);
    case 'rate':
      return setRate(command.rate);
    case 'window':
      return openWindow(command.startNs, command.endNs);
    case 'collect':
      return collect();
    case 'probe':
      return probe(command.sub);
    case 'unprobe':
      return unprobe(command.sub);
    case 'stop':
      return stop();
  }
});

/*
 * A fan-out load generator process (forked by fanout-bench). It connects the members of its rooms,
 * publishes at a fixed offered rate (open loop: the schedule does not wait for deliveries), and
 * counts deliveries and their publish-to-delivery latency on CLOCK_MONOTONIC, which every process
 * of the machine shares, so a publisher in one generator and a member in another agree on time.
 */
import { TokenSigner } from '../../src/auth/index.js';
import {
  type BenchClient,
  connectAndJoin,
  GeneratorPort,
  LatencyHistogram,
  monotonicNs,
  runLimited,
} from '../lib/index.js';
import type { FanoutCommand, FanoutReport } from './fanout-messages.js';

const CONNECT_ATTEMPTS = 3;
const TOKEN_TTL = '2h';
const TICK_MS = 1;

interface Publisher {
  readonly client: BenchClient;
  readonly room: string;
}

const histogram = new LatencyHistogram();
const clients: BenchClient[] = [];
const publishers: Publisher[] = [];
let deliveries = 0;
let published = 0;
let closed = 0;
let retries = 0;
let errors: Record<string, number> = {};
let markNs = 0;
let markCpu = process.cpuUsage();
let ticker: NodeJS.Timeout | null = null;

const handlers = {
  onDelivery(sentNs: number): void {
    deliveries++;
    histogram.record((monotonicNs() - sentNs) / 1000);
  },
  onError(code: string): void {
    errors[code] = (errors[code] ?? 0) + 1;
  },
  onClose(): void {
    closed++;
  },
};

async function setup(command: Extract<FanoutCommand, { type: 'setup' }>): Promise<void> {
  const started = Date.now();
  const signer = command.secret === null ? null : new TokenSigner({ secret: command.secret });
  const members = command.rooms.flatMap((plan) =>
    Array.from({ length: plan.members }, (_, i) => ({
      room: plan.room,
      sub: `u${plan.firstSub + i}`,
      publishes: plan.publishes && i === 0,
    })),
  );
  await runLimited(members.length, command.concurrency, async (index) => {
    const member = members[index]!;
    const token =
      signer === null
        ? null
        : await signer.sign({
            tenant: command.tenant,
            sub: member.sub,
            rooms: ['>'],
            ttl: TOKEN_TTL,
          });
    const joined = await connectAndJoin(
      {
        protocol: command.protocol,
        url: command.url,
        token,
        sub: member.sub,
        localAddress: null,
        timeoutMs: command.timeoutMs,
        handlers,
      },
      member.room,
      CONNECT_ATTEMPTS,
    );
    const client = joined.client;
    retries += joined.retries;
    clients.push(client);
    if (member.publishes) publishers.push({ client, room: member.room });
  });
  port.report({ type: 'ready', clients: clients.length, retries, setupMs: Date.now() - started });
}

function startPublishing(rate: number): void {
  if (publishers.length === 0 || rate <= 0) return;
  const startNs = monotonicNs();
  let sent = 0;
  // A 1 ms timer fires a little late; each tick sends what the schedule says is due by now.
  ticker = setInterval(() => {
    const due = Math.floor(((monotonicNs() - startNs) * rate) / 1e9);
    for (; sent < due; sent++) {
      const publisher = publishers[sent % publishers.length]!;
      publisher.client.publish(publisher.room, monotonicNs());
      published++;
    }
  }, TICK_MS);
}

function mark(): void {
  histogram.reset();
  deliveries = 0;
  published = 0;
  closed = 0;
  errors = {};
  markCpu = process.cpuUsage();
  markNs = monotonicNs();
  port.report({ type: 'marked' });
}

function collect(): void {
  const cpu = process.cpuUsage(markCpu);
  port.report({
    type: 'collected',
    deliveries,
    published,
    errors,
    closed,
    histogram: histogram.snapshot(),
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    windowNs: monotonicNs() - markNs,
  });
}

function stop(): void {
  if (ticker !== null) clearInterval(ticker);
  for (const client of clients) client.close();
  port.report({ type: 'stopped' });
}

const port = new GeneratorPort<FanoutCommand, FanoutReport>((command) => {
  switch (command.type) {
    case 'setup':
      return setup(command);
    case 'publish':
      return startPublishing(command.rate);
    case 'mark':
      return mark();
    case 'collect':
      return collect();
    case 'stop':
      return stop();
  }
});

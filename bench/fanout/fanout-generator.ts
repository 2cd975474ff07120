/*
 * A fan-out load generator process (forked by fanout-bench). It connects the members of its rooms,
 * publishes at a fixed offered rate (open loop: the schedule does not wait for deliveries), and
 * counts deliveries and their publish-to-delivery latency on CLOCK_MONOTONIC, which every process
 * of the machine shares, so a publisher in one generator and a member in another agree on time.
 * Each member also checks the publisher's sequence numbers: one it skipped is missing, one it saw
 * before (or out of order) a duplicate; after `halt`, `tally` adds what never came at the end.
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
  /** The sequence number of the next publish. */
  next: number;
}

/** What one member saw of its room's sequence. */
interface MemberTally {
  readonly room: string;
  /** The highest sequence number seen; -1: none yet. */
  last: number;
  missing: number;
  duplicates: number;
}

const histogram = new LatencyHistogram();
const clients: BenchClient[] = [];
const publishers: Publisher[] = [];
const tallies: MemberTally[] = [];
let deliveries = 0;
let published = 0;
let closed = 0;
let retries = 0;
let errors: Record<string, number> = {};
let markNs = 0;
let markCpu = process.cpuUsage();
let ticker: NodeJS.Timeout | null = null;

function handlersFor(tally: MemberTally) {
  return {
    ...handlers,
    onDelivery(sentNs: number, seq: number): void {
      handlers.onDelivery(sentNs);
      if (seq < 0) return;
      if (seq <= tally.last) tally.duplicates++;
      else {
        tally.missing += seq - tally.last - 1;
        tally.last = seq;
      }
    },
  };
}

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
    // Every member joins before the first publish, so sequence 0 is the first it must see.
    const tally: MemberTally = { room: member.room, last: -1, missing: 0, duplicates: 0 };
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
        handlers: handlersFor(tally),
      },
      member.room,
      CONNECT_ATTEMPTS,
    );
    const client = joined.client;
    retries += joined.retries;
    clients.push(client);
    tallies.push(tally);
    if (member.publishes) publishers.push({ client, room: member.room, next: 0 });
  });
  port.report({ type: 'ready', clients: clients.length, retries, setupMs: Date.now() - started });
}

function startPublishing(rate: number, text: string | null): void {
  if (publishers.length === 0 || rate <= 0) return;
  const textJson = text === null ? null : JSON.stringify(text);
  const startNs = monotonicNs();
  let sent = 0;
  // A 1 ms timer fires a little late; each tick sends what the schedule says is due by now.
  ticker = setInterval(() => {
    const due = Math.floor(((monotonicNs() - startNs) * rate) / 1e9);
    for (; sent < due; sent++) {
      const publisher = publishers[sent % publishers.length]!;
      publisher.client.publish(publisher.room, monotonicNs(), publisher.next++, textJson);
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

/** Stops publishing; reports each room's last sequence number sent. */
function halt(): void {
  if (ticker !== null) clearInterval(ticker);
  ticker = null;
  const lastSeq: Record<string, number> = {};
  for (const p of publishers) lastSeq[p.room] = p.next - 1;
  port.report({ type: 'halted', lastSeq });
}

/** Once deliveries drained: what each member never got, counting the tail after its last. */
function tally(lastSeq: Readonly<Record<string, number>>): void {
  let missing = 0;
  let duplicates = 0;
  let membersShort = 0;
  for (const t of tallies) {
    const tail = Math.max(0, (lastSeq[t.room] ?? -1) - t.last);
    missing += t.missing + tail;
    duplicates += t.duplicates;
    if (t.missing + tail > 0) membersShort++;
  }
  port.report({ type: 'tallied', missing, duplicates, membersShort });
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
      return startPublishing(command.rate, command.text);
    case 'halt':
      return halt();
    case 'tally':
      return tally(command.lastSeq);
    case 'mark':
      return mark();
    case 'collect':
      return collect();
    case 'stop':
      return stop();
  }
});

import t from 'tap';
import { durableVerdict, pairTable } from '../../../bench/durable/durable-report.js';
import type { FanoutResult } from '../../../bench/fanout/index.js';
import { SMALL_ROOMS_SHAPE } from '../../../bench/fanout/index.js';

function result(server: string, cpuUs: number, natsUs: number, p99Us: number): FanoutResult {
  return {
    server,
    node: process.version,
    shape: SMALL_ROOMS_SHAPE,
    windowS: 10,
    deliveries: 100_000,
    expectedDeliveries: 100_000,
    published: 10_000,
    p50Us: 1000,
    p99Us,
    serverUserUs: cpuUs,
    serverSystemUs: 0,
    generatorCpuUs: 0,
    generators: 2,
    otherCpuUs: 0,
    companionCpuUs: natsUs,
    errors: {},
    closed: 0,
    setupRetries: 0,
    load1: 0,
    attempts: 1,
    round: 1,
    profiles: [],
    missing: 0,
    duplicates: 0,
    membersShort: 0,
  };
}

t.test('durable report - the CPU ratio counts nats-server apart and together', async (t) => {
  // 10 µs per delivery in memory; durable 15 µs for the node plus 10 µs in nats-server.
  const pairs = [
    {
      round: 1,
      memory: result('mem', 1_000_000, 0, 2000),
      durable: result('dur', 1_500_000, 1_000_000, 4000),
    },
  ];
  const lines = durableVerdict(pairs, null);
  t.match(lines[0], /node alone: 1\.50x \(target 2x: met\)/);
  t.match(lines[1], /node \+ nats-server: 2\.50x \(target 2x: missed\)/);
  t.match(lines[2], /4\.00 ms \(target 10 ms: met\)/);
  t.match(pairTable(pairs), /\| 1 \| durable \| 15\.00 \| 25\.00 \| 1\.50x \| 2\.50x \|/);
});

t.test('durable report - recovery over the target is missed', async (t) => {
  const replay = (ms: number) => ({ ms, received: 10_000, recovered: true, exact: true });
  const lines = durableVerdict([], { messages: 10_000, warm: replay(300), cold: replay(1200) });
  t.match(lines[0], /warm 300 ms, cold 1200 ms \(target 1000 ms: missed\)/);
});

import { getHeapStatistics } from 'node:v8';
import t from 'tap';
import {
  defaultIdleProbe,
  IDLE_GC_MIN_GROWTH_BYTES,
  IdleCollector,
  type IdleCollectorProbe,
} from '../../src/node/index.js';

const MiB = 1024 * 1024;

/** A probe whose heap and busy share the test sets; collections finish when the test says. */
function fakeProbe(heap: number): IdleCollectorProbe & {
  heap: number;
  busyShare: number;
  pending: Array<() => void>;
  /** What the heap is after a collection. */
  afterCollect: number | null;
} {
  const probe = {
    heap,
    busyShare: 0,
    pending: [] as Array<() => void>,
    afterCollect: null as number | null,
    heapBytes: () => probe.heap,
    busy: () => probe.busyShare,
    collect: (done: () => void) => {
      probe.pending.push(() => {
        if (probe.afterCollect !== null) probe.heap = probe.afterCollect;
        done();
      });
    },
  };
  return probe;
}

t.test('idle collector - collects once the heap grew and the loop is idle', async (t) => {
  const probe = fakeProbe(40 * MiB);
  const collector = new IdleCollector({ probe, minGrowthBytes: 16 * MiB });
  probe.heap = 55 * MiB;
  t.notOk(collector.check(), 'grown less than minGrowthBytes');
  probe.heap = 120 * MiB;
  probe.busyShare = 0.5;
  t.notOk(collector.check(), 'grown, but the loop is busy');
  probe.busyShare = 0.01;
  t.ok(collector.check(), 'grown and idle');
  t.notOk(collector.check(), 'not again while one is running');
  probe.afterCollect = 45 * MiB;
  probe.pending.shift()?.();
  t.equal(collector.collections, 1);
  probe.heap = 58 * MiB;
  t.notOk(collector.check(), 'growth counts from the heap after the collection');
  probe.heap = 62 * MiB;
  t.ok(collector.check());
});

t.test('idle collector - a collection that frees nothing is not repeated', async (t) => {
  const probe = fakeProbe(40 * MiB);
  const collector = new IdleCollector({ probe, minGrowthBytes: 16 * MiB });
  probe.heap = 80 * MiB;
  t.ok(collector.check());
  probe.pending.shift()?.();
  for (let i = 0; i < 10; i++) t.notOk(collector.check(), `idle check ${i}: live heap stays`);
  t.equal(collector.collections, 1);
});

t.test('idle collector - a heap V8 shrank by itself lowers the floor', async (t) => {
  const probe = fakeProbe(60 * MiB);
  const collector = new IdleCollector({ probe, minGrowthBytes: 16 * MiB });
  probe.busyShare = 0.9;
  probe.heap = 30 * MiB;
  collector.check();
  probe.busyShare = 0;
  probe.heap = 50 * MiB;
  t.ok(collector.check(), 'grown 20 MiB from the lower floor');
});

t.test('idle collector - options are checked', async (t) => {
  const probe = fakeProbe(0);
  for (const [options, message] of [
    [{ checkMs: 0 }, /checkMs must be a positive number/],
    [{ minGrowthBytes: -1 }, /minGrowthBytes must be a positive number/],
    [{ maxBusy: 0 }, /maxBusy must be in \(0, 1\]/],
    [{ maxBusy: 1.5 }, /maxBusy/],
  ] as const) {
    t.throws(() => new IdleCollector({ ...options, probe }), {
      code: 'ARQ_ERR_NODE_CONFIG',
      message,
    });
  }
  t.ok(IDLE_GC_MIN_GROWTH_BYTES > 0);
});

t.test('idle collector - start and stop its timer', async (t) => {
  const probe = fakeProbe(0);
  const collector = new IdleCollector({ probe, checkMs: 10, minGrowthBytes: MiB });
  probe.heap = 10 * MiB;
  collector.start();
  collector.start();
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.equal(probe.pending.length, 1, 'the timer checked and started one collection');
  collector.stop();
  probe.pending.shift()?.();
  probe.heap = 100 * MiB;
  await new Promise((resolve) => setTimeout(resolve, 40));
  t.equal(probe.pending.length, 0, 'stopped: no more checks');
});

t.test('idle collector - the default probe gives back garbage', async (t) => {
  const probe = defaultIdleProbe();
  t.ok(probe.heapBytes() > 0);
  const busy = probe.busy();
  t.ok(busy >= 0 && busy <= 1, `busy share ${busy}`);
  // Garbage that lives long enough to reach the old generation, as connection set-up does.
  let held: unknown[][] = [];
  for (let i = 0; i < 200_000; i++) held.push([i, `x${i}`, { i }]);
  await new Promise((resolve) => setImmediate(resolve));
  const before = getHeapStatistics().used_heap_size;
  held = [];
  await new Promise<void>((resolve) => probe.collect(resolve));
  const after = getHeapStatistics().used_heap_size;
  t.ok(after < before - 10 * MiB, `used heap ${before / MiB} -> ${after / MiB} MiB`);
  t.equal(held.length, 0);
});

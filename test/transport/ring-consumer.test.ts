import t from 'tap';
import {
  type EnvelopeHeader,
  EnvelopeKind,
  HEADER_PAYLOAD_LENGTH_OFFSET,
  RING_DATA_OFFSET,
  type RingRecord,
  SpscRing,
  TransportError,
} from '../../src/transport/index.js';
import { checkRecord } from './fixtures/record-gen.js';
import type { ProducerReport, ProducerWorkerData } from './fixtures/ring-producer-worker.js';
import { WorkerProbe } from './fixtures/worker-probe.js';

const HEADER: EnvelopeHeader = {
  kind: EnvelopeKind.Delivery,
  flags: 0,
  connId: 0,
  roomId: 0,
  correlationId: 0,
  value: 0,
};

function ringWith(count: number): SpscRing {
  const ring = new SpscRing(SpscRing.allocate(4096));
  const producer = ring.producer();
  for (let i = 0; i < count; i++) {
    producer.tryWrite({ ...HEADER, correlationId: i }, new Uint8Array([i]), new Uint8Array([i, i]));
  }
  producer.flush();
  return ring;
}

t.test(
  'ring-consumer - a consumer waiting in waitForData is woken by one flush of a batch',
  async (t) => {
    const ring = new SpscRing(SpscRing.allocate(8192));
    const consumer = ring.consumer();
    let woken = false;
    const waiting = consumer.waitForData().then(() => {
      woken = true;
    });
    const limits = { maxKey: 8, maxPayload: 32 };
    const data: ProducerWorkerData = {
      buffer: ring.buffer,
      mode: 'flush-on-command',
      tag: 31,
      count: 100,
      unflushed: 0,
      limits,
      seed: 1,
    };
    const producer = new WorkerProbe<ProducerReport>('ring-producer-worker', data);
    const written = await producer.next('written');
    t.ok(written.unflushedBytes > 0);
    t.equal(
      consumer.drain(() => t.fail('unflushed record seen'), 1000),
      0,
    );
    t.notOk(woken, 'written but unflushed records do not wake the consumer');
    producer.post({ type: 'flush' });
    await waiting;
    t.equal((await producer.next('flushed')).notifyCount, 1, 'one notify for 100 records');
    let received = 0;
    let error: string | null = null;
    consumer.drain((r) => {
      error ??= checkRecord(r, 31, received, limits);
      received++;
    }, 1000);
    t.equal(error, null);
    t.equal(received, 100);
    await producer.kill();
  },
);

t.test('ring-consumer - drain honours maxRecords and hands out one reused view', async (t) => {
  const consumer = ringWith(10).consumer();
  const views = new Set<RingRecord>();
  const ids: number[] = [];
  t.equal(
    consumer.drain((r) => {
      views.add(r);
      ids.push(r.correlationId);
    }, 3),
    3,
  );
  t.equal(
    consumer.drain((r) => {
      views.add(r);
      ids.push(r.correlationId);
      t.same([...r.key], [r.correlationId]);
      t.same([...r.payload], [r.correlationId, r.correlationId]);
      t.equal(r.payload.buffer instanceof SharedArrayBuffer, true, 'payload is a view of the ring');
    }, 100),
    7,
  );
  t.same(ids, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.equal(views.size, 1);
  t.throws(() => consumer.drain(() => {}, 0), {
    code: 'ARQ_ERR_RING_OPTIONS',
    message: /maxRecords/,
  });
});

t.test('ring-consumer - toHeader copies the fixed fields out of the ring', async (t) => {
  const consumer = ringWith(2).consumer();
  const kept: EnvelopeHeader[] = [];
  consumer.drain((r) => kept.push(r.toHeader()), 10);
  t.same(kept, [
    { ...HEADER, correlationId: 0 },
    { ...HEADER, correlationId: 1 },
  ]);
});

t.test(
  'ring-consumer - a throwing handler consumes its record and the error propagates',
  async (t) => {
    const ring = ringWith(5);
    const consumer = ring.consumer();
    const boom = new TransportError('ARQ_ERR_RING_STATE', 'handler failed');
    const ids: number[] = [];
    t.throws(
      () =>
        consumer.drain((r) => {
          ids.push(r.correlationId);
          if (r.correlationId === 2) throw boom;
        }, 100),
      boom,
    );
    consumer.drain((r) => ids.push(r.correlationId), 100);
    t.same(ids, [0, 1, 2, 3, 4], 'the failing record is not handed out again');
    t.equal(ring.usedBytes, 0);
  },
);

t.test('ring-consumer - drain from inside a drain handler is refused', async (t) => {
  const consumer = ringWith(2).consumer();
  let inner: unknown = null;
  consumer.drain(() => {
    try {
      consumer.drain(() => {}, 1);
    } catch (error) {
      inner = error;
    }
  }, 1);
  t.match(inner, { code: 'ARQ_ERR_RING_STATE' });
});

t.test('ring-consumer - waitForData resolves at once when data is already published', async (t) => {
  const consumer = ringWith(1).consumer();
  await consumer.waitForData();
  t.equal(
    consumer.drain(() => {}, 10),
    1,
  );
  const pending = consumer.waitForData();
  t.equal(consumer.waitForData(), pending, 'one pending wait is shared');
  consumer.wake();
  await pending;
  t.equal(
    consumer.drain(() => {}, 10),
    0,
    'a wake without data hands out nothing',
  );
});

t.test('ring-consumer - a corrupt length is reported, not handed out', async (t) => {
  const ring = ringWith(1);
  // Simulate a contract breach (two producers): a header whose length runs past the published bytes.
  const u32 = new Uint32Array(ring.buffer, RING_DATA_OFFSET);
  u32[HEADER_PAYLOAD_LENGTH_OFFSET / 4] = 60_000;
  t.throws(() => ring.consumer().drain(() => t.fail('corrupt record handed out'), 10), {
    code: 'ARQ_ERR_RING_CORRUPT',
  });
});

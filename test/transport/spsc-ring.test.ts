import t from 'tap';
import {
  CTRL_READ_INDEX,
  CTRL_WRITE_INDEX,
  EnvelopeKind,
  type RingRecord,
  recordBytes,
  SpscRing,
  TransportError,
} from '../../src/transport/index.js';
import { checkRecord, type GenLimits, generateRecord } from './fixtures/record-gen.js';
import type { ConsumerReport, ConsumerWorkerData } from './fixtures/ring-consumer-worker.js';
import type { ProducerReport, ProducerWorkerData } from './fixtures/ring-producer-worker.js';
import { WorkerProbe } from './fixtures/worker-probe.js';

const EMPTY = new Uint8Array(0);

/** Drains `ring` in this thread until `count` records of `tag` arrived; checks each one. */
async function receiveAll(
  ring: SpscRing,
  tag: number,
  count: number,
  limits: GenLimits,
  first = 0,
): Promise<{ received: number; error: string | null }> {
  const consumer = ring.consumer();
  let received = 0;
  let error: string | null = null;
  const handler = (record: RingRecord): void => {
    error ??= checkRecord(record, tag, first + received, limits);
    received++;
  };
  while (received < count && error === null) {
    if (consumer.drain(handler, Math.min(256, count - received)) === 0) {
      await consumer.waitForData();
    }
  }
  return { received, error };
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

function producerData(
  buffer: SharedArrayBuffer,
  overrides: Partial<ProducerWorkerData>,
): ProducerWorkerData {
  return {
    buffer,
    mode: 'stream',
    tag: 1,
    count: 0,
    unflushed: 0,
    limits: { maxKey: 16, maxPayload: 64 },
    seed: 1,
    ...overrides,
  };
}

t.test(
  'spsc-ring - allocate validates capacity and max record size, naming the option',
  async (t) => {
    for (const bad of [1000, 512, 2 ** 31, 0, -1024, 1.5, Number.NaN]) {
      t.throws(() => SpscRing.allocate(bad), {
        code: 'ARQ_ERR_RING_OPTIONS',
        message: /capacityBytes must be a power of two from 1024 to 1073741824/,
      });
    }
    for (const bad of [513, 31, 100.5]) {
      t.throws(() => SpscRing.allocate(1024, { maxRecordBytes: bad }), {
        code: 'ARQ_ERR_RING_OPTIONS',
        message: /options\.maxRecordBytes must be an integer from 32 to 512/,
      });
    }
    const ring = new SpscRing(SpscRing.allocate(4096, { maxRecordBytes: 100 }));
    t.equal(ring.capacity, 4096);
    t.equal(ring.maxRecordBytes, 100);
    t.equal(ring.epoch, 0);
    t.equal(
      new SpscRing(SpscRing.allocate(2048)).maxRecordBytes,
      1024,
      'default is half the capacity',
    );
  },
);

t.test('spsc-ring - only a buffer made by allocate opens as a ring', async (t) => {
  t.throws(() => new SpscRing(new SharedArrayBuffer(4096)), { code: 'ARQ_ERR_RING_LAYOUT' });
  t.throws(() => new SpscRing(new ArrayBuffer(4096) as unknown as SharedArrayBuffer), {
    code: 'ARQ_ERR_RING_LAYOUT',
    message: /SharedArrayBuffer/,
  });
  const truncated = SpscRing.allocate(2048);
  const copy = new SharedArrayBuffer(truncated.byteLength - 8);
  new Uint8Array(copy).set(new Uint8Array(truncated, 0, copy.byteLength));
  t.throws(() => new SpscRing(copy), { code: 'ARQ_ERR_RING_LAYOUT', message: /capacity/ });
});

t.test('spsc-ring - random records round-trip in one thread across many wraps', async (t) => {
  const ring = new SpscRing(SpscRing.allocate(1024));
  const limits = { maxKey: 40, maxPayload: 400 };
  const producer = ring.producer();
  const consumer = ring.consumer();
  let written = 0;
  let read = 0;
  let error: string | null = null;
  let bytes = 0;
  const handler = (record: RingRecord): void => {
    error ??= checkRecord(record, 5, read, limits);
    read++;
  };
  while (written < 3000) {
    const record = generateRecord(5, written, limits);
    if (producer.tryWrite(record.header, record.key, record.payload)) {
      bytes += recordBytes(record.key.length, record.payload.length);
      written++;
      continue;
    }
    producer.flush();
    consumer.drain(handler, 1 + (written % 7));
  }
  producer.flush();
  while (consumer.drain(handler, 100) > 0);
  t.equal(error, null);
  t.equal(read, 3000);
  t.ok(bytes > 100 * ring.capacity, 'went round the ring many times');
  t.equal(ring.usedBytes, 0);
});

t.test('spsc-ring - indices keep working across the int32 and uint32 overflow', async (t) => {
  for (const start of [0x7fffff00, -256]) {
    const buffer = SpscRing.allocate(1024);
    const ctrl = new Int32Array(buffer);
    ctrl[CTRL_WRITE_INDEX] = start;
    ctrl[CTRL_READ_INDEX] = start;
    const ring = new SpscRing(buffer);
    const producer = ring.producer();
    const consumer = ring.consumer();
    const limits = { maxKey: 8, maxPayload: 120 };
    let read = 0;
    let accepted = 0;
    let error: string | null = null;
    for (let seq = 0; seq < 200; seq++) {
      const record = generateRecord(9, seq, limits);
      if (producer.tryWrite(record.header, record.key, record.payload)) accepted++;
      producer.flush();
      consumer.drain((r) => {
        error ??= checkRecord(r, 9, read, limits);
        read++;
      }, 10);
    }
    t.equal(accepted, 200);
    t.equal(error, null, `no error from index ${start}`);
    t.equal(read, 200);
    t.not(ctrl[CTRL_READ_INDEX], start);
  }
});

t.test(
  'spsc-ring - concurrent producer and consumer threads lose, duplicate and reorder nothing',
  async (t) => {
    const cases = [
      { capacity: 4096, count: 30_000, limits: { maxKey: 64, maxPayload: 2048 - 32 - 64 } },
      { capacity: 65536, count: 200_000, limits: { maxKey: 24, maxPayload: 100 } },
    ];
    for (const [index, c] of cases.entries()) {
      const buffer = SpscRing.allocate(c.capacity, {
        maxRecordBytes: 32 + c.limits.maxKey + c.limits.maxPayload,
      });
      const consumerData: ConsumerWorkerData = {
        buffer,
        tag: 10 + index,
        count: c.count,
        limits: c.limits,
        maxBatch: 1 + index * 500,
      };
      // Consumer first: it must sleep on the empty ring without its thread exiting.
      const consumer = new WorkerProbe<ConsumerReport>('ring-consumer-worker', consumerData);
      const producer = new WorkerProbe<ProducerReport>(
        'ring-producer-worker',
        producerData(buffer, {
          tag: 10 + index,
          count: c.count,
          limits: c.limits,
          seed: 7 + index,
        }),
      );
      const produced = await producer.next('done', 120_000);
      const consumed = await consumer.next('done', 120_000);
      t.equal(produced.written, c.count);
      t.equal(consumed.firstError, null, 'every record intact and in order');
      t.equal(consumed.received, c.count, 'every record once');
      let bytes = 0;
      for (let seq = 0; seq < c.count; seq++) {
        const r = generateRecord(10 + index, seq, c.limits);
        bytes += recordBytes(r.key.length, r.payload.length);
      }
      t.ok(bytes > 10 * c.capacity, 'the stream wrapped the ring many times');
      await Promise.all([producer.exited(), consumer.exited()]);
    }
  },
);

t.test('spsc-ring - reset discards published records and both sides re-sync', async (t) => {
  const ring = new SpscRing(SpscRing.allocate(2048));
  const producer = ring.producer();
  const consumer = ring.consumer();
  const limits = { maxKey: 8, maxPayload: 64 };
  for (let seq = 0; seq < 10; seq++) {
    const r = generateRecord(1, seq, limits);
    producer.tryWrite(r.header, r.key, r.payload);
  }
  producer.flush();
  t.equal(ring.reset(), 1);
  t.equal(ring.epoch, 1);
  t.equal(
    consumer.drain(() => t.fail('old record seen'), 100),
    0,
  );
  t.equal(consumer.epoch, 1);
  for (let seq = 0; seq < 5; seq++) {
    const r = generateRecord(2, seq, limits);
    t.ok(producer.tryWrite(r.header, r.key, r.payload));
  }
  t.equal(producer.epoch, 1);
  producer.flush();
  const got = await receiveAll(ring, 2, 5, limits);
  t.same(got, { received: 5, error: null });
  t.equal(ring.usedBytes, 0);
});

t.test('spsc-ring - a reset drops what the producer wrote but had not flushed', async (t) => {
  const ring = new SpscRing(SpscRing.allocate(2048));
  const producer = ring.producer();
  const header = {
    kind: EnvelopeKind.Publish,
    flags: 0,
    connId: 1,
    roomId: 1,
    correlationId: 1,
    value: 0,
  };
  t.ok(producer.tryWrite(header, EMPTY, new Uint8Array(100)));
  ring.reset();
  producer.flush();
  t.equal(ring.usedBytes, 0, 'flush after the reset published nothing');
  t.equal(
    ring.consumer().drain(() => t.fail('stale record seen'), 10),
    0,
  );
});

t.test('spsc-ring - a reset from inside a drain handler stops the drain at once', async (t) => {
  const ring = new SpscRing(SpscRing.allocate(2048));
  const producer = ring.producer();
  const consumer = ring.consumer();
  const limits = { maxKey: 4, maxPayload: 16 };
  for (let seq = 0; seq < 10; seq++) {
    const r = generateRecord(1, seq, limits);
    producer.tryWrite(r.header, r.key, r.payload);
  }
  producer.flush();
  let seen = 0;
  const handled = consumer.drain(() => {
    seen++;
    if (seen === 3) ring.reset();
  }, 100);
  t.equal(handled, 3);
  t.equal(
    consumer.drain(() => t.fail('old record after reset'), 100),
    0,
  );
  const r = generateRecord(2, 0, limits);
  producer.tryWrite(r.header, r.key, r.payload);
  producer.flush();
  t.same(await receiveAll(ring, 2, 1, limits), { received: 1, error: null });
});

t.test(
  'spsc-ring - a handler that resets the ring and then throws leaves the new epoch clean',
  async (t) => {
    const ring = new SpscRing(SpscRing.allocate(2048));
    const producer = ring.producer();
    const consumer = ring.consumer();
    const limits = { maxKey: 4, maxPayload: 16 };
    for (let seq = 0; seq < 5; seq++) {
      const r = generateRecord(1, seq, limits);
      producer.tryWrite(r.header, r.key, r.payload);
    }
    producer.flush();
    const boom = new TransportError('ARQ_ERR_RING_STATE', 'handler failed after reset');
    t.throws(
      () =>
        consumer.drain(() => {
          ring.reset();
          throw boom;
        }, 100),
      boom,
    );
    t.equal(ring.usedBytes, 0, 'no stale read index was published into the new epoch');
    const r = generateRecord(2, 0, limits);
    producer.tryWrite(r.header, r.key, r.payload);
    producer.flush();
    t.same(await receiveAll(ring, 2, 1, limits), { received: 1, error: null });
  },
);

t.test("spsc-ring - reset wakes this thread's pending waits", async (t) => {
  const ring = new SpscRing(SpscRing.allocate(1024, { maxRecordBytes: 512 }));
  const producer = ring.producer();
  const header = {
    kind: EnvelopeKind.Delivery,
    flags: 0,
    connId: 0,
    roomId: 0,
    correlationId: 0,
    value: 0,
  };
  const payload = new Uint8Array(400);
  while (producer.tryWrite(header, EMPTY, payload));
  const space = producer.waitForSpace();
  const data = ring.consumer().waitForData();
  ring.reset();
  await Promise.all([space, data]);
  t.ok(producer.tryWrite(header, EMPTY, payload), 'room again in the new epoch');
});

t.test(
  'spsc-ring - after a producer thread dies with unflushed records, reset + new producer: only new records',
  async (t) => {
    const ring = new SpscRing(SpscRing.allocate(16_384));
    const limits = { maxKey: 16, maxPayload: 200 };
    const dead = new WorkerProbe<ProducerReport>(
      'ring-producer-worker',
      producerData(ring.buffer, {
        mode: 'park-unflushed',
        tag: 1,
        count: 20,
        unflushed: 30,
        limits,
      }),
    );
    const parked = await dead.next('parked');
    t.ok(parked.unflushedBytes > 0, 'the dead producer holds unflushed records');
    t.same(
      await receiveAll(ring, 1, 20, limits),
      { received: 20, error: null },
      'flushed ones arrive',
    );
    await dead.kill();
    t.equal(
      ring.consumer().drain(() => t.fail('unflushed record seen'), 100),
      0,
    );
    ring.reset();
    const fresh = new WorkerProbe<ProducerReport>(
      'ring-producer-worker',
      producerData(ring.buffer, { tag: 2, count: 500, limits, seed: 3 }),
    );
    t.same(await receiveAll(ring, 2, 500, limits), { received: 500, error: null });
    t.equal((await fresh.next('done')).written, 500);
    t.equal(
      ring.consumer().drain(() => t.fail('extra record'), 100),
      0,
    );
    t.equal(ring.consumer().epoch, 1);
    await fresh.exited();
  },
);

t.test(
  'spsc-ring - after a producer thread is killed in a tight write loop, reset + new producer: no torn record',
  async (t) => {
    const ring = new SpscRing(SpscRing.allocate(8192));
    const limits = { maxKey: 32, maxPayload: 900 };
    const consumer = ring.consumer();
    const dead = new WorkerProbe<ProducerReport>(
      'ring-producer-worker',
      producerData(ring.buffer, { mode: 'tight-loop', tag: 3, limits }),
    );
    await dead.next('looping');
    // Keep draining while the producer is killed, so it dies while writing, not parked on a full ring.
    let received = 0;
    let error: string | null = null;
    let stopped = false;
    const handler = (record: RingRecord): void => {
      error ??= checkRecord(record, 3, received, limits);
      received++;
    };
    const draining = (async () => {
      while (!stopped && error === null) {
        if (consumer.drain(handler, 64) === 0) await consumer.waitForData();
      }
    })();
    await until(() => received >= 2000 || error !== null);
    await dead.kill();
    stopped = true;
    consumer.wake();
    await draining;
    // What it published before dying is still whole and in order.
    while (consumer.drain(handler, 1000) > 0);
    t.equal(error, null, 'every record the killed producer published is intact and in order');
    t.ok(received >= 2000);
    ring.reset();
    const fresh = new WorkerProbe<ProducerReport>(
      'ring-producer-worker',
      producerData(ring.buffer, { tag: 4, count: 3000, limits, seed: 11 }),
    );
    t.same(await receiveAll(ring, 4, 3000, limits), { received: 3000, error: null });
    t.equal((await fresh.next('done')).written, 3000);
    t.equal(
      consumer.drain(() => t.fail('extra record'), 100),
      0,
    );
    await fresh.exited();
  },
);

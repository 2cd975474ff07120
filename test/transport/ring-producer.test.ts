import t from 'tap';
import {
  type EnvelopeHeader,
  EnvelopeKind,
  type RingRecord,
  SpscRing,
} from '../../src/transport/index.js';
import { checkRecord } from './fixtures/record-gen.js';
import type { ProducerReport, ProducerWorkerData } from './fixtures/ring-producer-worker.js';
import { WorkerProbe } from './fixtures/worker-probe.js';

const EMPTY = new Uint8Array(0);
const HEADER: EnvelopeHeader = {
  kind: EnvelopeKind.Publish,
  flags: 0,
  connId: 1,
  roomId: 2,
  correlationId: 3,
  value: 4,
};

t.test(
  'ring-producer - a record over the max size is refused with a typed error, never cut',
  async (t) => {
    const ring = new SpscRing(SpscRing.allocate(4096, { maxRecordBytes: 256 }));
    const producer = ring.producer();
    t.throws(() => producer.tryWrite(HEADER, new Uint8Array(10), new Uint8Array(215)), {
      code: 'ARQ_ERR_RECORD_TOO_LARGE',
      name: 'TransportError',
      message: /record of 257 bytes \(header 32 \+ key 10 \+ payload 215\) exceeds .* 256/,
    });
    t.equal(producer.unflushedBytes, 0, 'nothing was written');
    t.ok(
      producer.tryWrite(HEADER, new Uint8Array(10), new Uint8Array(214)),
      'exactly the max fits',
    );
    producer.flush();
    let payloadLength = -1;
    ring.consumer().drain((r) => {
      payloadLength = r.payloadLength;
    }, 10);
    t.equal(payloadLength, 214);
  },
);

t.test('ring-producer - the ring-reserved kind is refused', async (t) => {
  const producer = new SpscRing(SpscRing.allocate(1024)).producer();
  const header = { ...HEADER, kind: 0xffff as EnvelopeKind };
  t.throws(() => producer.tryWrite(header, EMPTY, EMPTY), { code: 'ARQ_ERR_RING_OPTIONS' });
  t.throws(() => producer.checkRecord(HEADER, 0, 10_000), { code: 'ARQ_ERR_RECORD_TOO_LARGE' });
  t.equal(producer.checkRecord(HEADER, 3, 5), 40);
});

t.test(
  'ring-producer - tryWrite returns false when full, writes nothing, and succeeds once drained',
  async (t) => {
    const ring = new SpscRing(SpscRing.allocate(1024));
    const producer = ring.producer();
    const consumer = ring.consumer();
    const payload = new Uint8Array(88); // 32 + 88 = 120 -> 120 bytes a record
    let written = 0;
    while (producer.tryWrite({ ...HEADER, correlationId: written }, EMPTY, payload)) written++;
    t.equal(written, 8, '8 records of 120 bytes fit in 1024');
    const before = producer.unflushedBytes;
    t.notOk(producer.tryWrite(HEADER, EMPTY, payload));
    t.equal(producer.unflushedBytes, before, 'a refused write leaves no trace');
    producer.flush();
    t.equal(
      consumer.drain(() => {}, 1),
      1,
    );
    t.ok(producer.tryWrite({ ...HEADER, correlationId: 8 }, EMPTY, payload), 'room again');
    producer.flush();
    const ids: number[] = [];
    consumer.drain((r) => ids.push(r.correlationId), 100);
    t.same(ids, [1, 2, 3, 4, 5, 6, 7, 8]);
  },
);

t.test(
  'ring-producer - unflushed records are invisible; flush notifies only a waiting consumer',
  async (t) => {
    const ring = new SpscRing(SpscRing.allocate(1024));
    const producer = ring.producer();
    const consumer = ring.consumer();
    t.ok(producer.tryWrite(HEADER, EMPTY, new Uint8Array(8)));
    t.equal(
      consumer.drain(() => t.fail('unflushed record seen'), 10),
      0,
    );
    producer.flush();
    t.equal(producer.notifyCount, 0, 'nobody waited: no notify');
    t.equal(
      consumer.drain(() => {}, 10),
      1,
    );
    const woke = consumer.waitForData();
    producer.tryWrite(HEADER, EMPTY, EMPTY);
    producer.tryWrite(HEADER, EMPTY, EMPTY);
    producer.flush();
    producer.flush();
    await woke;
    t.equal(producer.notifyCount, 1, 'one notify for the batch');
  },
);

t.test(
  'ring-producer - a full ring: waitForSpace resolves after a consumer drains, then every record arrives',
  async (t) => {
    const ring = new SpscRing(SpscRing.allocate(2048));
    const limits = { maxKey: 20, maxPayload: 500 };
    const count = 3000;
    const data: ProducerWorkerData = {
      buffer: ring.buffer,
      mode: 'stream',
      tag: 21,
      count,
      unflushed: 0,
      limits,
      seed: 5,
    };
    const producer = new WorkerProbe<ProducerReport>('ring-producer-worker', data);
    const full = await producer.next('full');
    t.ok(full.written > 0 && full.written < count, 'the producer hit a full ring before any drain');
    const consumer = ring.consumer();
    let received = 0;
    let error: string | null = null;
    const handler = (record: RingRecord): void => {
      error ??= checkRecord(record, 21, received, limits);
      received++;
    };
    while (received < count && error === null) {
      if (consumer.drain(handler, count - received) === 0) await consumer.waitForData();
    }
    const done = await producer.next('done');
    t.equal(error, null);
    t.equal(received, count, 'every record arrived once, in order');
    t.equal(done.written, count);
    t.ok(done.fullCount >= 1, 'the producer waited for space');
    t.ok(consumer.notifyCount >= 1, 'the consumer woke the waiting producer');
    await producer.exited();
  },
);

import t from 'tap';
import {
  allocateRingPair,
  EnvelopeKind,
  type RingPair,
  type RingRecord,
  ThreadChannel,
} from '../../src/transport/index.js';
import type { EchoCommand, EchoReport, EchoWorkerData } from './fixtures/channel-echo-worker.js';
import { checkRecord, type GenLimits, generateRecord } from './fixtures/record-gen.js';
import { WorkerProbe } from './fixtures/worker-probe.js';

const EMPTY = new Uint8Array(0);

function startEcho(pair: RingPair, mode: EchoWorkerData['mode']): WorkerProbe<EchoReport> {
  const data: EchoWorkerData = { pair, mode };
  return new WorkerProbe<EchoReport>('channel-echo-worker', data);
}

/** Receives on `edge` until `count` echoes of `tag` (seq from 0) arrived or one was wrong. */
function collect(edge: ThreadChannel, tag: number, count: number, limits: GenLimits) {
  const state = { received: 0, error: null as string | null };
  const done = new Promise<void>((resolve, reject) => {
    edge
      .receive((record: RingRecord) => {
        state.error ??= checkRecord(record, tag, state.received, limits);
        state.received++;
        if (state.received >= count || state.error !== null) resolve();
      })
      .catch(reject);
  });
  return { state, done };
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

async function stopEcho(echo: WorkerProbe<EchoReport>): Promise<void> {
  const stop: EchoCommand = { type: 'stop' };
  echo.post(stop);
  await echo.next('stopped');
  await echo.exited();
}

t.test('thread-channel - options are validated, naming the option', async (t) => {
  const pair = allocateRingPair({ capacityBytes: 1024 });
  t.throws(() => ThreadChannel.open(pair, 'edge', { maxQueuedBytes: -1 }), {
    code: 'ARQ_ERR_RING_OPTIONS',
    message: /options\.maxQueuedBytes must be a non-negative integer, got -1/,
  });
  t.throws(() => ThreadChannel.open(pair, 'edge', { maxDrainBatch: 0 }), {
    message: /options\.maxDrainBatch must be a positive integer, got 0/,
  });
  t.throws(() => ThreadChannel.open(pair, 'edge', { lingerMs: -1 }), {
    message: /options\.lingerMs must be an integer from 0 to 1000, got -1/,
  });
  t.throws(() => ThreadChannel.open(pair, 'middle' as 'edge'), { message: /side must be/ });
  t.throws(() => ThreadChannel.open({} as RingPair, 'edge'), { code: 'ARQ_ERR_RING_LAYOUT' });
  t.throws(() => allocateRingPair({ capacityBytes: 1000 }), { code: 'ARQ_ERR_RING_OPTIONS' });
});

t.test(
  'thread-channel - sends past ring capacity are queued and all arrive in order',
  async (t) => {
    const pair = allocateRingPair({ capacityBytes: 4096 });
    const edge = ThreadChannel.open(pair, 'edge');
    const echo = startEcho(pair, 'echo');
    await echo.next('ready');
    const limits = { maxKey: 24, maxPayload: 600 };
    const count = 5000;
    const { state, done } = collect(edge, 41, count, limits);
    for (let seq = 0; seq < count; seq++) {
      const r = generateRecord(41, seq, limits);
      edge.send(r.header, r.key, r.payload);
    }
    t.ok(edge.queuedCount > 0, 'one burst overflowed the ring into the queue');
    t.ok(edge.queuedBytes > 4096);
    await done;
    t.equal(state.error, null);
    t.equal(state.received, count, 'every envelope came back once, in order');
    t.equal(edge.queuedCount, 0);
    t.equal(edge.queuedBytes, 0);
    edge.close();
    await stopEcho(echo);
  },
);

t.test('thread-channel - one burst of sends is published by one flush', async (t) => {
  const pair = allocateRingPair({ capacityBytes: 65_536 });
  const edge = ThreadChannel.open(pair, 'edge');
  const shard = ThreadChannel.open(pair, 'shard');
  let received = 0;
  let drained: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    drained = resolve;
  });
  const loop = shard.receive(() => {
    received++;
    if (received === 300) drained();
  });
  // Let the receive loop go to sleep on the empty ring.
  await new Promise((resolve) => setImmediate(resolve));
  const header = {
    kind: EnvelopeKind.Publish,
    flags: 0,
    connId: 1,
    roomId: 1,
    correlationId: 0,
    value: 0,
  };
  for (let i = 0; i < 300; i++) edge.send(header, EMPTY, new Uint8Array(64));
  t.equal(edge.queuedCount, 0);
  await all;
  t.equal(edge.notifyCount, 1, 'a burst of 300 sends cost one wake-up');
  shard.close();
  await loop;
  edge.close();
});

t.test(
  'thread-channel - queued envelopes are copies: the caller may reuse its buffers',
  async (t) => {
    const pair = allocateRingPair({ capacityBytes: 1024 });
    const edge = ThreadChannel.open(pair, 'edge');
    const shard = ThreadChannel.open(pair, 'shard');
    const header = {
      kind: EnvelopeKind.Publish,
      flags: 0,
      connId: 7,
      roomId: 8,
      correlationId: 0,
      value: 0,
    };
    const key = new Uint8Array(3);
    const payload = new Uint8Array(100);
    for (let i = 0; i < 200; i++) {
      key.fill(i & 0xff);
      payload.fill((i * 3) & 0xff);
      edge.send({ ...header, correlationId: i }, key, payload);
    }
    t.ok(edge.queuedCount > 150, 'most of the burst was queued');
    const bad: number[] = [];
    let received = 0;
    const loop = shard.receive((r) => {
      const i = r.correlationId;
      if (
        i !== received ||
        r.key.some((b) => b !== (i & 0xff)) ||
        r.payload.some((b) => b !== ((i * 3) & 0xff))
      ) {
        bad.push(i);
      }
      received++;
    });
    await until(() => received >= 200);
    t.same(bad, []);
    t.equal(received, 200);
    shard.close();
    await loop;
    edge.close();
  },
);

t.test('thread-channel - maxQueuedBytes is enforced, and nothing accepted is lost', async (t) => {
  const pair = allocateRingPair({ capacityBytes: 4096 });
  const edge = ThreadChannel.open(pair, 'edge', { maxQueuedBytes: 8192 });
  const echo = startEcho(pair, 'hold');
  await echo.next('ready');
  const limits = { maxKey: 8, maxPayload: 300 };
  let accepted = 0;
  let refused: unknown = null;
  for (let seq = 0; seq < 1000 && refused === null; seq++) {
    const r = generateRecord(42, seq, limits);
    try {
      edge.send(r.header, r.key, r.payload);
      accepted++;
    } catch (error) {
      refused = error;
    }
  }
  t.match(refused, { code: 'ARQ_ERR_RING_FULL', message: /options\.maxQueuedBytes 8192/ });
  t.ok(edge.queuedBytes <= 8192 && edge.queuedBytes > 8192 - 400, 'queue filled to its bound');
  t.ok(accepted > 10);
  const { state, done } = collect(edge, 42, accepted + 1, limits);
  const start: EchoCommand = { type: 'start' };
  echo.post(start);
  await until(() => state.received >= accepted || state.error !== null);
  t.equal(state.error, null);
  t.equal(state.received, accepted, 'every accepted envelope came back, in order');
  t.equal(edge.queuedCount, 0);
  // Room again: the refused envelope can be sent now, and comes back next (it was never queued).
  const r = generateRecord(42, accepted, limits);
  edge.send(r.header, r.key, r.payload);
  await done;
  t.equal(state.error, null);
  t.equal(state.received, accepted + 1);
  edge.close();
  await stopEcho(echo);
});

t.test(
  'thread-channel - after the peer thread dies: reset reports the dropped queue, the new thread gets only new envelopes',
  async (t) => {
    const pair = allocateRingPair({ capacityBytes: 4096 });
    const edge = ThreadChannel.open(pair, 'edge');
    const dead = startEcho(pair, 'hold');
    await dead.next('ready');
    const limits = { maxKey: 8, maxPayload: 200 };
    for (let seq = 0; seq < 200; seq++) {
      const r = generateRecord(43, seq, limits);
      edge.send(r.header, r.key, r.payload);
    }
    const queued = edge.queuedCount;
    t.ok(queued > 0);
    await dead.kill();
    const reset = edge.resetAfterPeerExit();
    t.same(reset, { epoch: 1, discardedQueued: queued }, 'what was dropped is reported');
    t.equal(edge.queuedCount, 0);
    const fresh = startEcho(pair, 'echo');
    await fresh.next('ready');
    const { state, done } = collect(edge, 44, 50, limits);
    for (let seq = 0; seq < 50; seq++) {
      const r = generateRecord(44, seq, limits);
      edge.send(r.header, r.key, r.payload);
    }
    await done;
    t.equal(state.error, null, 'no envelope of the old epoch came back');
    t.equal(state.received, 50);
    edge.close();
    await stopEcho(fresh);
  },
);

t.test(
  'thread-channel - a ring pair crosses to a worker in workerData as shared memory',
  async (t) => {
    const pair = allocateRingPair({ capacityBytes: 1024, maxRecordBytes: 256 });
    const edge = ThreadChannel.open(pair, 'edge');
    t.equal(edge.maxRecordBytes, 256);
    t.throws(
      () =>
        edge.send(
          { kind: EnvelopeKind.Join, flags: 0, connId: 0, roomId: 0, correlationId: 0, value: 0 },
          EMPTY,
          new Uint8Array(300),
        ),
      {
        code: 'ARQ_ERR_RECORD_TOO_LARGE',
      },
    );
    const echo = startEcho(pair, 'echo');
    await echo.next('ready');
    const limits = { maxKey: 4, maxPayload: 100 };
    const { state, done } = collect(edge, 45, 20, limits);
    for (let seq = 0; seq < 20; seq++) {
      const r = generateRecord(45, seq, limits);
      edge.send(r.header, r.key, r.payload);
    }
    await done;
    t.same(state, { received: 20, error: null });
    edge.close();
    t.throws(
      () =>
        edge.send(
          { kind: EnvelopeKind.Join, flags: 0, connId: 0, roomId: 0, correlationId: 0, value: 0 },
          EMPTY,
          EMPTY,
        ),
      {
        code: 'ARQ_ERR_RING_STATE',
      },
    );
    await stopEcho(echo);
  },
);

/**
 * Sends `perTick` envelopes every `tickMs` for `ticks` ticks and waits for all of them; returns
 * how many wake-ups (notifies) the sends cost.
 */
async function stream(
  lingerMs: number,
  ticks: number,
  perTick: number,
  tickMs: number,
): Promise<{ notifies: number; received: number; inOrder: boolean; lateTicks: number }> {
  const pair = allocateRingPair({ capacityBytes: 65_536 });
  const edge = ThreadChannel.open(pair, 'edge');
  const shard = ThreadChannel.open(pair, 'shard', { lingerMs });
  let received = 0;
  let inOrder = true;
  const loop = shard.receive((record) => {
    if (record.connId !== received) inOrder = false;
    received++;
  });
  let sent = 0;
  // Ticks at which the previous tick's envelopes had not all arrived yet.
  let lateTicks = 0;
  for (let tick = 0; tick < ticks; tick++) {
    if (received < sent) lateTicks++;
    for (let i = 0; i < perTick; i++) {
      edge.send(
        {
          kind: EnvelopeKind.Publish,
          flags: 0,
          connId: sent++,
          roomId: 0,
          correlationId: 0,
          value: 0,
        },
        EMPTY,
        EMPTY,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  while (received < sent) await new Promise((resolve) => setTimeout(resolve, 5));
  shard.close();
  await loop;
  edge.close();
  return { notifies: edge.notifyCount, received, inOrder, lateTicks };
}

t.test(
  'thread-channel - a busy stream is polled: the sender stops waking the receiver',
  async (t) => {
    // ~10 envelopes per ms for 300 ticks: far above four per lingerMs.
    const woken = await stream(0, 300, 10, 1);
    const polled = await stream(1, 300, 10, 1);
    t.equal(polled.received, 3000);
    t.ok(polled.inOrder, 'every envelope arrived once, in order');
    t.ok(
      woken.notifies > 150,
      `without lingering most bursts wake the receiver (${woken.notifies})`,
    );
    t.ok(
      polled.notifies < woken.notifies / 2,
      `polling saves most wake-ups (${polled.notifies} vs ${woken.notifies})`,
    );
  },
);

t.test(
  'thread-channel - a quiet stream is not polled: each envelope wakes the receiver',
  async (t) => {
    // One envelope every 20 ms: each must arrive long before the next is sent.
    const quiet = await stream(1, 30, 1, 20);
    t.equal(quiet.received, 30);
    t.ok(quiet.inOrder);
    t.equal(quiet.lateTicks, 0, 'no envelope waited for a poll');
    t.ok(quiet.notifies >= 25, `each envelope woke the receiver (${quiet.notifies} of 30)`);
  },
);

t.test('thread-channel - after close a send throws; after abandon it is dropped', async (t) => {
  const header = {
    kind: EnvelopeKind.Publish,
    flags: 0,
    connId: 1,
    roomId: 0,
    correlationId: 0,
    value: 0,
  };
  const closed = ThreadChannel.open(allocateRingPair(), 'shard');
  closed.close();
  t.throws(() => closed.send(header, EMPTY, EMPTY), { code: 'ARQ_ERR_RING_STATE' });
  const pair = allocateRingPair();
  const edge = ThreadChannel.open(pair, 'edge');
  const shard = ThreadChannel.open(pair, 'shard');
  shard.send(header, EMPTY, new Uint8Array([1]));
  shard.flush();
  shard.abandon();
  t.doesNotThrow(() => shard.send(header, EMPTY, new Uint8Array([2])), 'dropped, not thrown');
  const seen: number[] = [];
  t.equal(
    edge.drainAvailable((record) => seen.push(record.payload[0] ?? -1)),
    1,
  );
  t.same(seen, [1], 'what it sent before abandon arrives; nothing after');
  edge.close();
});

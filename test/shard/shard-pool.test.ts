import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import {
  type JoinReply,
  type PublishReply,
  type ShardDelivery,
  ShardError,
  ShardPool,
  type ShardPoolEvent,
  ShardReplyError,
} from '../../src/shard/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

interface Harness {
  readonly pool: ShardPool;
  readonly deliveries: {
    roomKey: string;
    offset: number;
    body: string;
    connId: number;
    direct: boolean;
  }[];
  readonly events: ShardPoolEvent[];
}

function harness(
  options: { workers?: number; maxRestarts?: number; periodMs?: number } = {},
): Harness {
  const deliveries: Harness['deliveries'] = [];
  const events: ShardPoolEvent[] = [];
  const pool = new ShardPool({
    workers: options.workers ?? 2,
    nodeId: 'test-node',
    maxRestarts: options.maxRestarts ?? 50,
    periodMs: options.periodMs ?? 10_000,
    requestTimeoutMs: 20_000,
    onDelivery: (d: ShardDelivery) =>
      deliveries.push({
        roomKey: d.roomKey,
        offset: d.offset,
        body: dec.decode(d.body),
        connId: d.connId,
        direct: d.direct,
      }),
    onEvent: (e) => events.push(e),
  });
  return { pool, deliveries, events };
}

function join(
  pool: ShardPool,
  roomKey: string,
  connId: number,
  since: { epoch: string; offset: number } | null,
) {
  return new Promise<JoinReply>((resolve, reject) =>
    pool.join(roomKey, connId, since, false, (e, r) => (e ? reject(e) : resolve(r as JoinReply))),
  );
}

function publish(pool: ShardPool, roomKey: string, connId: number, text: string, echo = true) {
  return new Promise<PublishReply>((resolve, reject) =>
    pool.publish(roomKey, connId, enc.encode(text), echo, Date.now(), (e, r) =>
      e ? reject(e) : resolve(r as PublishReply),
    ),
  );
}

function leave(pool: ShardPool, roomKey: string, connId: number) {
  return new Promise<unknown>((resolve, reject) =>
    pool.leave(roomKey, connId, (e, r) => (e ? reject(e) : resolve(r))),
  );
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

t.test('shard pool - a publish is ordered by its room and delivered once', async (t) => {
  const { pool, deliveries } = harness();
  await pool.start();
  t.teardown(() => pool.close());
  const joined = await join(pool, 't1/lobby', 7, null);
  t.match(joined, { epoch: String, offset: 0 });
  const first = await publish(pool, 't1/lobby', 7, 'hello', true);
  const second = await publish(pool, 't1/lobby', 7, 'world', true);
  t.same([first.offset, second.offset], [1, 2]);
  t.equal(first.id, `${joined.epoch}:1`);
  await until('deliveries', () => deliveries.length === 2);
  t.same(
    deliveries.map((d) => [d.roomKey, d.offset, d.body, d.connId]),
    [
      ['t1/lobby', 1, 'hello', 7],
      ['t1/lobby', 2, 'world', 7],
    ],
  );
});

t.test(
  'shard pool - rooms spread over shards and a resume replays only to the joiner',
  async (t) => {
    const { pool, deliveries } = harness({ workers: 3 });
    await pool.start();
    t.teardown(() => pool.close());
    const shards = new Set(Array.from({ length: 60 }, (_, i) => pool.shardOf(`t1/room-${i}`)));
    t.equal(shards.size, 3, 'rooms use every shard');
    const { epoch } = await join(pool, 't1/replay', 1, null);
    for (let i = 1; i <= 5; i++) await publish(pool, 't1/replay', 1, `m${i}`, true);
    const resumed = await join(pool, 't1/replay', 2, { epoch, offset: 3 });
    t.equal(resumed.recovered, undefined, 'recovered');
    await until('replay', () => deliveries.filter((d) => d.direct).length === 2);
    t.same(
      deliveries.filter((d) => d.direct).map((d) => [d.connId, d.offset, d.body]),
      [
        [2, 4, 'm4'],
        [2, 5, 'm5'],
      ],
    );
    const lost = await join(pool, 't1/replay', 3, { epoch: 'another-epoch', offset: 1 });
    t.equal(lost.recovered, false);
  },
);

t.test('shard pool - leaving a room not joined is an error reply', async (t) => {
  const { pool } = harness({ workers: 1 });
  await pool.start();
  t.teardown(() => pool.close());
  await join(pool, 't1/a', 1, null);
  const err = await leave(pool, 't1/a', 99).catch((e: unknown) => e);
  t.ok(err instanceof ShardReplyError);
  t.equal((err as ShardReplyError).code, 'ARQ_ERR_NOT_JOINED');
  t.same(await leave(pool, 't1/a', 1), {});
  t.same(await pool.stats(0), { rooms: 1, actors: 1 }, 'an empty room lingers until its idle time');
});

t.test(
  'shard pool - a shard killed repeatedly under traffic restarts and keeps serving',
  async (t) => {
    const { pool, events } = harness({ workers: 2 });
    await pool.start();
    t.teardown(() => pool.close());
    const room = 't1/busy';
    const shard = pool.shardOf(room);
    await join(pool, room, 1, null);
    let ok = 0;
    let down = 0;
    let other = 0;
    let running = true;
    const traffic = (async () => {
      while (running) {
        const batch = Array.from({ length: 20 }, () =>
          publish(pool, room, 1, 'x', false).then(
            () => ok++,
            (e: unknown) =>
              e instanceof ShardError && e.code === 'ARQ_ERR_SHARD_DOWN' ? down++ : other++,
          ),
        );
        await Promise.all(batch);
      }
    })();
    for (let kill = 1; kill <= 3; kill++) {
      const startsBefore = pool.starts;
      await until('traffic', () => ok > kill * 50);
      t.ok(pool.killShard(shard), `kill ${kill}`);
      await until('restart', () => pool.starts > startsBefore);
      const reply = await publish(pool, room, 1, 'after', true);
      t.ok(reply.offset >= 1, `publish handled after restart ${kill}`);
    }
    running = false;
    await traffic;
    t.equal(other, 0, 'every failure is a typed shard-down error');
    t.equal(
      events.filter((e) => e.type === 'shard-started' && e.restart && e.shard === shard).length,
      3,
    );
    t.ok(ok > 150);
    t.comment(`ok=${ok} failed-with-shard-down=${down}`);
  },
);

t.test('shard pool - a shard dying of an uncaught error is restarted', async (t) => {
  const { pool, events } = harness({ workers: 1 });
  await pool.start();
  t.teardown(() => pool.close());
  pool.crashShard(0, 'test');
  await until('restart', () => events.some((e) => e.type === 'shard-started' && e.restart));
  t.match(
    events.find((e) => e.type === 'shard-exited'),
    { reason: /crash requested: test/ },
  );
  t.match(await join(pool, 't1/after', 1, null), { offset: 0 });
});

t.test('shard pool - the restart intensity stops a crash loop', async (t) => {
  const { pool, events } = harness({ workers: 2, maxRestarts: 2, periodMs: 60_000 });
  await pool.start();
  for (let i = 0; i < 3; i++) {
    const startsBefore = pool.starts;
    pool.killShard(0);
    if (i < 2) await until('restart', () => pool.starts > startsBefore);
  }
  const reason = await pool.exited;
  t.match(reason, { type: 'error', error: { code: 'ARQ_ERR_RESTART_INTENSITY' } });
  t.ok(events.some((e) => e.type === 'pool-failed'));
  const startsAfter = pool.starts;
  await sleep(300);
  t.equal(pool.starts, startsAfter, 'no more restarts');
  await t.rejects(join(pool, 't1/x', 1, null), { code: 'ARQ_ERR_SHARD_STOPPED' });
});

t.test(
  'shard pool - an exported room answers after its earlier messages and continues on import',
  async (t) => {
    const a = harness({ workers: 1 });
    const b = harness({ workers: 1 });
    await a.pool.start();
    await b.pool.start();
    t.teardown(() => Promise.all([a.pool.close(), b.pool.close()]));
    const { epoch } = await join(a.pool, 't1/move', 1, null);
    const order: string[] = [];
    // Sent without waiting: the export must come after both publishes, in ring order.
    for (const text of ['m1', 'm2']) {
      a.pool.publish('t1/move', 1, enc.encode(text), true, Date.now(), (error) =>
        order.push(error === null ? text : 'failed'),
      );
    }
    const exported = new Promise<RoomStateLike | null>((resolve, reject) =>
      a.pool.exportRoom('t1/move', (error, state) => {
        order.push('exported');
        return error ? reject(error) : resolve(state);
      }),
    );
    const state = await exported;
    t.same(order, ['m1', 'm2', 'exported'], 'the export answers after the earlier replies');
    t.equal(a.deliveries.length, 2, 'and after the earlier deliveries');
    t.match(state, { epoch, offset: 2 });
    t.same(
      state?.history.map((h) => [h.offset, dec.decode(h.payload)]),
      [
        [1, 'm1'],
        [2, 'm2'],
      ],
    );
    const none = await new Promise((resolve) =>
      a.pool.exportRoom('t1/never', (_e, s) => resolve(s)),
    );
    t.equal(none, null, 'no such room: no state');
    if (state === null) throw new RangeError('state');

    await new Promise<void>((resolve, reject) =>
      b.pool.importRoom('t1/move', state, (error) => (error ? reject(error) : resolve())),
    );
    const next = await publish(b.pool, 't1/move', 2, 'm3');
    t.same(next, { id: `${epoch}:3`, offset: 3 }, 'the stream goes on: same epoch, next offset');
    const resumed = await join(b.pool, 't1/move', 3, { epoch, offset: 1 });
    t.equal(resumed.recovered, undefined, 'a resume from before the move is recovered');
    await until('replay', () => b.deliveries.filter((d) => d.direct).length === 2);
    t.same(
      b.deliveries.filter((d) => d.direct).map((d) => [d.offset, d.body]),
      [
        [2, 'm2'],
        [3, 'm3'],
      ],
    );
  },
);

t.test('shard pool - an import replaces an out-of-date room of the same key', async (t) => {
  const { pool } = harness({ workers: 1 });
  await pool.start();
  t.teardown(() => pool.close());
  await join(pool, 't1/stale', 1, null);
  await publish(pool, 't1/stale', 1, 'old');
  const state = { epoch: 'handed-over', offset: 41, history: [] };
  await new Promise<void>((resolve, reject) =>
    pool.importRoom('t1/stale', state, (error) => (error ? reject(error) : resolve())),
  );
  t.same(await publish(pool, 't1/stale', 1, 'new'), { id: 'handed-over:42', offset: 42 });
});

type RoomStateLike = Parameters<ShardPool['importRoom']>[1];

t.test(
  'shard pool - workers 0: one shard in this thread, ordered and delivered once',
  async (t) => {
    const { pool, deliveries } = harness({ workers: 0 });
    await pool.start();
    t.teardown(() => pool.close());
    t.equal(pool.workers, 1, 'one shard');
    const joined = await join(pool, 't1/lobby', 7, null);
    const offsets = [];
    for (let i = 0; i < 50; i++)
      offsets.push((await publish(pool, 't1/lobby', 7, `m${i}`, true)).offset);
    t.same(
      offsets,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    await until('deliveries', () => deliveries.length === 50);
    t.same(
      deliveries.map((d) => d.body),
      Array.from({ length: 50 }, (_, i) => `m${i}`),
    );
    const rejoin = await join(pool, 't1/lobby', 8, { epoch: joined.epoch, offset: 48 });
    t.match(rejoin, { epoch: joined.epoch, offset: 50 });
  },
);

t.test('shard pool - workers 0: a crash or a kill of the inline shard restarts it', async (t) => {
  const { pool, events } = harness({ workers: 0 });
  await pool.start();
  t.teardown(() => pool.close());
  const before = await join(pool, 't1/a', 1, null);
  pool.crashShard(0, 'inline test');
  await until('restart', () => events.some((e) => e.type === 'shard-started' && e.restart));
  t.match(
    events.find((e) => e.type === 'shard-exited'),
    { reason: /crash requested: inline test/ },
  );
  const after = await join(pool, 't1/a', 1, null);
  t.not(after.epoch, before.epoch, 'the room starts afresh, as after a thread died');
  const starts = pool.starts;
  t.ok(pool.killShard(0));
  await until('restart after kill', () => pool.starts > starts);
  t.match(await publish(pool, 't1/b', 1, 'x', true), { offset: 1 });
});

import type { Test } from 'tap';
import t from 'tap';
import type { PublishAnswer } from '../../actors/index.js';
import { CLAIM_PAYLOAD_PART, Membership, ownerPublishWildcard } from '../../src/cluster/index.js';
import { connectTo, eventually, sleep } from './fixtures/cluster-fixtures.js';
import {
  deliveriesOf,
  join,
  publish,
  type Recorded,
  rejection,
  restoreOnMove,
  roomOwnedBy,
  startCluster,
  type TestNode,
} from './fixtures/cluster-rooms-fixtures.js';

/** A client publishing `prefix-1`, `prefix-2`, ... into one room until stopped. */
interface Publisher {
  /** Every body sent, in order. */
  readonly sent: string[];
  readonly answers: PublishAnswer[];
  readonly errors: Error[];
  /** Stops sending; resolves once every publish is answered. */
  stop(): Promise<void>;
}

/**
 * `waitForAck`: one publish at a time. Otherwise pipelined: up to `window` unanswered at once, as
 * a client that sends without waiting would.
 */
function startPublisher(
  node: TestNode,
  roomKey: string,
  connId: number,
  prefix: string,
  mode: { readonly waitForAck: true } | { readonly window: number },
): Publisher {
  const sent: string[] = [];
  const answers: PublishAnswer[] = [];
  const errors: Error[] = [];
  let running = true;
  let inflight = 0;
  const loop = (async () => {
    while (running) {
      const window = 'window' in mode ? mode.window : 1;
      if (inflight >= window) {
        await sleep(2);
        continue;
      }
      const body = `${prefix}-${sent.length + 1}`;
      sent.push(body);
      inflight += 1;
      const answered = publish(node.rooms, roomKey, connId, body).then(
        (answer) => {
          answers.push(answer);
        },
        (error: Error) => {
          errors.push(error);
        },
      );
      void answered.finally(() => {
        inflight -= 1;
      });
      // A steady stream, not a flood: the machine is shared with other tests.
      if ('waitForAck' in mode) await answered;
      await sleep(2);
    }
  })();
  return {
    sent,
    answers,
    errors,
    async stop() {
      running = false;
      await loop;
      await eventually(() => inflight === 0, `${prefix}: every publish answered`);
    },
  };
}

/** Checks one node's deliveries of the room: one stream, in order, each publisher's sequence whole. */
function checkStream(
  t: Test,
  name: string,
  got: readonly Recorded[],
  publishers: readonly Publisher[],
  epoch: string,
  fromStart: boolean,
): void {
  t.ok(got.length > 0, `${name} got messages`);
  t.same(
    [...new Set(got.map((d) => d.epoch))],
    [epoch],
    `${name}: one epoch before and after the move`,
  );
  const offsets = got.map((d) => d.offset);
  const contiguous = offsets.every((o, i) => i === 0 || o === (offsets[i - 1] as number) + 1);
  t.ok(contiguous, `${name}: offsets go up by one, no gap, no duplicate`);
  if (fromStart) t.equal(offsets[0], 1, `${name}: from the first message`);
  for (const p of publishers) {
    const prefix = p.sent[0]?.split('-')[0] ?? '';
    const bodies = got.map((d) => d.body).filter((b) => b.startsWith(`${prefix}-`));
    if (fromStart) t.same(bodies, p.sent, `${name}: ${prefix}'s sequence, whole and in order`);
    else {
      const first = p.sent.indexOf(bodies[0] ?? '');
      t.same(bodies, p.sent.slice(first), `${name}: ${prefix}'s sequence from its join on`);
    }
  }
}

for (const mode of [{ waitForAck: true } as const, { window: 8 } as const]) {
  const how = 'waitForAck' in mode ? 'waiting for acks' : 'pipelined';
  t.test(
    `cluster rooms - a room moving to a node that joins loses and reorders nothing (${how})`,
    async (t) => {
      const cluster = await startCluster(t, ['a', 'b'], { requestTimeoutMs: 8_000 });
      const { a, b } = cluster.nodes as Record<string, TestNode>;
      if (a === undefined || b === undefined) throw new RangeError('nodes');
      const room = roomOwnedBy('a', ['a', 'b'], 'busy', { members: ['a', 'b', 'c'], owner: 'c' });
      const restored = [restoreOnMove(a, { [room]: [21] }), restoreOnMove(b, { [room]: [11] })];
      const { epoch } = await join(a.rooms, room, 21);
      await join(b.rooms, room, 11);
      const fromB = startPublisher(b, room, 11, 'b', mode);
      const fromA = startPublisher(a, room, 21, 'a', mode);
      await eventually(() => fromA.answers.length >= 20 && fromB.answers.length >= 20, 'traffic');

      const c = await cluster.addNode('c');
      const fromC = startPublisher(c, room, 31, 'c', mode);
      await eventually(
        () => [a, b, c].every((n) => n.rooms.ownerOf(room) === 'c'),
        'every node places the room on c',
      );
      await eventually(() => c.rooms.stats().handoffsImported === 1, 'c imported the room');
      const at = fromA.answers.length + fromB.answers.length;
      await eventually(
        () => fromA.answers.length + fromB.answers.length >= at + 40,
        'traffic after the move',
      );
      await Promise.all([fromA.stop(), fromB.stop(), fromC.stop()]);
      const total = fromA.sent.length + fromB.sent.length + fromC.sent.length;
      await eventually(
        () => [a, b].every((n) => deliveriesOf(n, room).length === total),
        'a and b have every message',
      );

      t.same([...fromA.errors, ...fromB.errors, ...fromC.errors], [], 'every publish answered ok');
      t.same(restored.flat(), [null, null], 'the members re-joined on c');
      for (const p of [fromA, fromB, fromC]) {
        const offsets = p.answers.map((r) => r.offset);
        t.ok(
          offsets.every((o, i) => i === 0 || o > (offsets[i - 1] as number)),
          'one publisher’s offsets increase in the order it sent',
        );
        t.ok(
          p.answers.every((r) => r.id.startsWith(`${epoch}:`)),
          'every answer is of the one stream',
        );
      }
      checkStream(t, 'a (old owner)', deliveriesOf(a, room), [fromA, fromB, fromC], epoch, true);
      checkStream(t, 'b', deliveriesOf(b, room), [fromA, fromB, fromC], epoch, true);
      t.match(c.rooms.stats(), { handoffsImported: 1, handoffTimeouts: 0, awaitingHandoff: 0 });
      t.match(a.rooms.stats(), { handoffsSent: 1, handoffsFailed: 0 });

      // The stream continues on c: a resume from before the move is recovered there (from a
      // point still in the history: it keeps the last 1000 messages).
      const moveAt = deliveriesOf(b, room).findIndex((d) => d.body.startsWith('c-'));
      const since = Math.max(total - 900, moveAt - 5, 1);
      t.ok(since < moveAt, 'the resume point is from before the move');
      const resumed = await join(b.rooms, room, 12, { epoch, offset: since });
      t.equal(resumed.recovered, undefined, 'since across the move: recovered');
      const replayed = (): Recorded[] =>
        deliveriesOf(b, room).filter((d) => d.direct && d.connId === 12);
      await eventually(
        () => replayed().length === total - since,
        'the replay after the resume point',
      );
      t.same(
        replayed().map((d) => d.offset),
        Array.from({ length: total - since }, (_, i) => i + since + 1),
      );
    },
  );
}

for (const mode of [{ waitForAck: true } as const, { window: 8 } as const]) {
  const how = 'waitForAck' in mode ? 'waiting for acks' : 'pipelined';
  t.test(`cluster rooms - the owner leaving gracefully hands its room over (${how})`, async (t) => {
    const cluster = await startCluster(t, ['a', 'b', 'c'], { requestTimeoutMs: 8_000 });
    const { a, b, c } = cluster.nodes as Record<string, TestNode>;
    if (a === undefined || b === undefined || c === undefined) throw new RangeError('nodes');
    const room = roomOwnedBy('c', ['a', 'b', 'c'], 'leaving', { members: ['a', 'b'], owner: 'a' });
    const restored = [restoreOnMove(a, { [room]: [21] }), restoreOnMove(b, { [room]: [11] })];
    const { epoch } = await join(a.rooms, room, 21);
    await join(b.rooms, room, 11);
    await join(c.rooms, room, 31);
    const fromA = startPublisher(a, room, 21, 'a', mode);
    const fromB = startPublisher(b, room, 11, 'b', mode);
    await eventually(() => fromA.answers.length >= 20 && fromB.answers.length >= 20, 'traffic');

    await c.leave();
    await eventually(
      () => [a, b].every((n) => n.rooms.ownerOf(room) === 'a'),
      'a and b place the room on a',
    );
    t.equal(a.rooms.stats().handoffsImported, 1, 'a imported the room');
    const at = fromA.answers.length + fromB.answers.length;
    await eventually(
      () => fromA.answers.length + fromB.answers.length >= at + 40,
      'traffic after the move',
    );
    await Promise.all([fromA.stop(), fromB.stop()]);
    const total = fromA.sent.length + fromB.sent.length;
    await eventually(
      () => [a, b].every((n) => deliveriesOf(n, room).length === total),
      'a and b have every message',
    );
    t.same([...fromA.errors, ...fromB.errors], [], 'every publish answered ok');
    t.same(restored.flat(), [null, null], 'the members re-joined on a');
    for (const p of [fromA, fromB]) {
      const offsets = p.answers.map((r) => r.offset);
      t.ok(
        offsets.every((o, i) => i === 0 || o > (offsets[i - 1] as number)),
        'one publisher’s offsets increase in the order it sent',
      );
    }
    checkStream(t, 'a (new owner)', deliveriesOf(a, room), [fromA, fromB], epoch, true);
    checkStream(t, 'b', deliveriesOf(b, room), [fromA, fromB], epoch, true);
    t.match(a.rooms.stats(), { handoffsImported: 1, handoffTimeouts: 0, awaitingHandoff: 0 });
    t.match(c.rooms.stats(), { handoffsSent: 1, handoffsFailed: 0 });
  });
}

t.test(
  'cluster rooms - a moved room nobody hands over starts afresh after the deadline',
  async (t) => {
    const handoffTimeoutMs = 800;
    const cluster = await startCluster(t, ['a', 'b'], { handoffTimeoutMs });
    const { a, b } = cluster.nodes as Record<string, TestNode>;
    if (a === undefined || b === undefined) throw new RangeError('nodes');
    // z heartbeats claiming the rooms of the ring [a, z] (it has not seen b) and never hands any
    // over: an old owner that is stuck.
    const nc = await connectTo(cluster.server.url, { name: 'z' });
    const z = new Membership({ connection: nc, node: 'z', heartbeatMs: 100, downAfterMs: 5_000 });
    z.setPayload(CLAIM_PAYLOAD_PART, () => ({ ring: ['a', 'z'] }));
    nc.subscribe(ownerPublishWildcard('z'), { callback: () => {} });
    t.teardown(async () => {
      await z.close();
      await nc.close();
    });
    await z.start();
    await eventually(() => [a, b].every((n) => n.membership.nodes().join() === 'a,b,z'), 'z is up');
    const stuck = roomOwnedBy('b', ['a', 'b', 'z'], 'stuck', { members: ['a', 'z'], owner: 'z' });
    const free = roomOwnedBy('b', ['a', 'b', 'z'], 'free', { members: ['a', 'z'], owner: 'a' });
    await eventually(() => b.rooms.stats().awaitingHandoff === 0, 'b settled');

    const started = performance.now();
    const freeAnswer = await publish(a.rooms, free, 21, 'not claimed');
    t.ok(performance.now() - started < handoffTimeoutMs, 'a room nobody claims is served at once');
    t.equal(freeAnswer.offset, 1);

    const waitedFrom = performance.now();
    const answer = await publish(a.rooms, stuck, 21, 'claimed by z');
    const waited = performance.now() - waitedFrom;
    t.ok(waited >= handoffTimeoutMs - 5, `it waited for the hand-off (${Math.round(waited)} ms)`);
    t.equal(answer.offset, 1, 'then the room started afresh');
    t.match(b.rooms.stats(), { handoffTimeouts: 1, handoffsImported: 0, awaitingHandoff: 0 });
    const next = performance.now();
    await publish(a.rooms, stuck, 21, 'no more waiting');
    t.ok(performance.now() - next < handoffTimeoutMs, 'and serves without waiting from then on');

    // A request waiting for a hand-off when the gateway closes is still answered, once.
    const another = roomOwnedBy('b', ['a', 'b', 'z'], 'stuck2', {
      members: ['a', 'z'],
      owner: 'z',
    });
    const waiting = rejection(publish(b.rooms, another, 11, 'cut short'));
    await eventually(() => b.rooms.stats().awaitingHandoff === 1, 'it waits');
    await b.rooms.close();
    t.equal((await waiting).code, 'ARQ_ERR_SHARD_STOPPED');
  },
);

import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import {
  type ActorChild,
  ActorSystem,
  actorChild,
  type ExitReason,
} from '../../../actors/runtime/index.js';
import { Supervisor } from '../../../supervision/index.js';
import { Recorder } from './fixtures/recorder.js';
import { waitFor } from './fixtures/wait.js';

/** A counter that crashes on 'crash' and answers 'count' with how many messages it has seen. */
function counter(log: string[]): Recorder {
  let count = 0;
  return new Recorder({
    started: async () => {
      await sleep(1);
      log.push('started');
    },
    onMessage: (m, ctx) => {
      count++;
      if (m === 'crash') throw new Error('crashed on purpose');
      if (m === 'count') ctx.reply(count);
    },
    stopped: (_ctx, reason) => void log.push(`stopped ${reason.type}`),
  });
}

t.test('actor-child - start resolves after started has completed', async (t) => {
  const system = new ActorSystem();
  const log: string[] = [];
  const child = await actorChild(system, () => counter(log), { name: 'counter' })();
  t.same(log, ['started'], 'started ran before start resolved');
  t.equal(system.isAlive(child.ref), true);
  t.same(system.whereis('counter'), child.ref);
  await system.shutdown();
});

t.test('actor-child - exited settles with the actor exit reason', async (t) => {
  const system = new ActorSystem();
  const child = await actorChild(system, () => counter([]))();
  system.tell(child.ref, 'crash');
  t.match(await child.exited, { type: 'error', error: { message: 'crashed on purpose' } });
  await system.shutdown();
});

t.test(
  'actor-child - stop() is graceful (shutdown, stopped runs); kill() is immediate',
  async (t) => {
    const system = new ActorSystem();
    const log: string[] = [];
    const start = actorChild(system, () => counter(log));
    const a = await start();
    a.stop();
    a.stop(); // idempotent
    t.same(await a.exited, { type: 'shutdown' });
    t.same(log, ['started', 'stopped shutdown']);
    const b = await start();
    b.kill();
    t.same(await b.exited, { type: 'killed' });
    t.same(log, ['started', 'stopped shutdown', 'started'], 'no stopped for a kill');
    t.doesNotThrow(() => {
      b.stop();
      b.kill();
    }, 'stop and kill of an ended child are no-ops');
    await system.shutdown();
  },
);

t.test('actor-child - a failing started rejects start', async (t) => {
  const system = new ActorSystem();
  const start = actorChild(
    system,
    () =>
      new Recorder({
        started: () => {
          throw new Error('no database');
        },
      }),
  );
  const err = await t.rejects(start(), { code: 'ARQ_ERR_START_FAILED' });
  t.match((err as unknown as Error).cause, { message: 'no database' });
  t.equal(system.stats().actors, 0);
  await system.shutdown();
});

t.test('actor-child - spawn options are validated when the child is declared', async (t) => {
  const system = new ActorSystem();
  t.throws(() => actorChild(system, () => new Recorder(), { mailboxCapacity: -1 }), {
    code: 'ARQ_ERR_INVALID_OPTION',
    message: /options\.mailboxCapacity/,
  });
  await system.shutdown();
});

t.test('actor-child - a consumer restarting on error gets a fresh actor each time', async (t) => {
  const system = new ActorSystem();
  const start = actorChild(system, () => counter([]), { name: 'svc' });
  const reasons: ExitReason[] = [];
  let current: ActorChild = await start();
  // A minimal supervisor loop: restart after abnormal exits, at most 3 times.
  const loop = (async () => {
    for (;;) {
      const reason = await current.exited;
      reasons.push(reason);
      if (reason.type !== 'error' || reasons.length === 3) return;
      current = await start();
    }
  })();
  for (let i = 0; i < 3; i++) {
    const before = current;
    const svc = system.whereis('svc');
    t.ok(svc !== null, 'registered under its name');
    system.tell(before.ref, 'bump');
    t.equal(await system.ask(before.ref, 'count'), 2, 'state starts fresh');
    system.tell(before.ref, 'crash');
    if (i < 2) await waitFor(() => current !== before, 'a restart');
  }
  await loop;
  t.equal(reasons.length, 3);
  t.ok(reasons.every((r) => r.type === 'error'));
  await system.shutdown();
});

t.test('actor-child - a one_for_one Supervisor restarts a crashed actor', async (t) => {
  const system = new ActorSystem();
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    children: [
      { id: 'counter', start: actorChild(system, () => counter([]), { name: 'counter' }) },
    ],
  });
  await supervisor.start();
  const first = system.whereis('counter');
  if (first === null) throw new Error('counter not registered');
  system.tell(first, 'crash');
  await waitFor(() => {
    const now = system.whereis('counter');
    return now !== null && now.id !== first.id;
  }, 'the restarted counter');
  const second = system.whereis('counter');
  t.equal(await system.ask(second as NonNullable<typeof second>, 'count'), 1, 'fresh state');
  await supervisor.stop();
  t.equal(system.whereis('counter'), null, 'stopped with the supervisor');
  await system.shutdown();
});

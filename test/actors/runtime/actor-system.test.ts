import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { type ActorRef, ActorSystem, type Behavior } from '../../../actors/runtime/index.js';
import { Recorder } from './fixtures/recorder.js';
import { gate, waitFor } from './fixtures/wait.js';

t.test('actor-system - names are registered, looked up and freed on death', async (t) => {
  const system = new ActorSystem({ node: 'n', thread: 1 });
  const ref = system.spawn(new Recorder(), { name: 'room:lobby' });
  t.same(ref, { node: 'n', thread: 1, id: ref.id, name: 'room:lobby' });
  t.same(system.whereis('room:lobby'), ref);
  t.throws(() => system.spawn(new Recorder(), { name: 'room:lobby' }), {
    code: 'ARQ_ERR_NAME_TAKEN',
  });
  t.throws(() => system.register('other', ref), { code: 'ARQ_ERR_ALREADY_NAMED' });

  const anon = system.spawn(new Recorder());
  system.register('late', anon);
  t.same(system.whereis('late'), { ...anon, name: 'late' });
  t.equal(system.unregister('late'), true);
  t.equal(system.unregister('late'), false);
  t.equal(system.whereis('late'), null);

  await system.stop(ref);
  t.equal(system.whereis('room:lobby'), null, 'freed when the actor died');
  t.throws(() => system.register('dead', ref), { code: 'ARQ_ERR_NO_PROC' });
  const again = system.spawn(new Recorder(), { name: 'room:lobby' });
  t.not(again.id, ref.id, 'ids are never reused');
  await system.shutdown();
});

t.test('actor-system - refs are plain data that survive serialisation', async (t) => {
  const system = new ActorSystem();
  const rec = new Recorder();
  const ref = system.spawn(rec, { name: 'echo' });
  const copied: ActorRef = JSON.parse(JSON.stringify(ref));
  const cloned: ActorRef = structuredClone(ref);
  system.tell(copied, 'via json');
  system.tell(cloned, 'via structured clone');
  await waitFor(() => rec.seen.length === 2, 'both messages');
  t.same(rec.seen, ['via json', 'via structured clone']);
  await system.shutdown();
});

t.test(
  'actor-system - refs of other threads need a transport; local-only calls refuse them',
  async (t) => {
    const system = new ActorSystem({ node: 'n', thread: 1 });
    const elsewhere: ActorRef = { node: 'n', thread: 2, id: 1 };
    t.throws(() => system.tell(elsewhere, 'x'), { code: 'ARQ_ERR_NO_TRANSPORT' });
    await t.rejects(system.ask(elsewhere, 'x'), { code: 'ARQ_ERR_NO_TRANSPORT' });
    t.throws(() => system.kill(elsewhere), { code: 'ARQ_ERR_NOT_LOCAL' });
    t.throws(() => system.isAlive(elsewhere), { code: 'ARQ_ERR_NOT_LOCAL' });
    await t.rejects(system.stop(elsewhere), { code: 'ARQ_ERR_NOT_LOCAL' });
    await t.rejects(system.exited({ node: 'n', thread: 1, id: 999 }), { code: 'ARQ_ERR_NO_PROC' });
    t.throws(() => system.spawn({} as Behavior), { code: 'ARQ_ERR_INVALID_ARGUMENT' });
    await system.shutdown();
  },
);

t.test('actor-system - stop runs stopped with the given reason; kill is immediate', async (t) => {
  const system = new ActorSystem();
  const a = new Recorder();
  const b = new Recorder();
  const refA = system.spawn(a);
  const refB = system.spawn(b);
  t.same(await system.stop(refA, { type: 'normal' }), { type: 'normal' });
  t.same(a.stops, [{ type: 'normal' }]);
  const exitedB = system.exited(refB);
  system.kill(refB);
  t.same(await exitedB, { type: 'killed' });
  t.same(b.stops, []);
  t.doesNotThrow(() => system.kill(refB), 'killing a dead actor is a no-op');
  await t.rejects(system.stop(refB), { code: 'ARQ_ERR_NO_PROC' });
  await system.shutdown();
});

t.test(
  'actor-system - shutdown stops every actor, newest first, and refuses new work',
  async (t) => {
    const system = new ActorSystem();
    const order: string[] = [];
    const behavior = (name: string): Recorder =>
      new Recorder({ stopped: (_ctx, reason) => void order.push(`${name} ${reason.type}`) });
    system.spawn(behavior('first'));
    system.spawn(behavior('second'));
    const hold = gate();
    const waiter = system.spawn(new Recorder({ onMessage: () => hold.promise }));
    const pending = system.ask(system.spawn(new Recorder()), 'never answered', {
      timeoutMs: 60_000,
    });
    system.tell(waiter, 'block');
    await waitFor(() => system.stats().actors === 4 && system.stats().ticks > 0, 'actors started');
    const done = system.shutdown();
    t.equal(system.shutdown(), done, 'idempotent');
    t.throws(() => system.spawn(new Recorder()), { code: 'ARQ_ERR_SYSTEM_STOPPED' });
    await t.rejects(system.ask(waiter, 'x'), { code: 'ARQ_ERR_SYSTEM_STOPPED' });
    hold.open();
    await done;
    t.same(order, ['second shutdown', 'first shutdown']);
    t.equal(system.stats().actors, 0);
    await t.rejects(
      pending,
      { code: 'ARQ_ERR_NO_PROC' },
      'the unanswered ask failed with its actor',
    );
  },
);

t.test('actor-system - shutdown kills actors that do not stop in time', async (t) => {
  const system = new ActorSystem();
  const stuck = system.spawnHandle(new Recorder({ onMessage: () => new Promise(() => {}) }));
  system.tell(stuck.ref, 'hang forever');
  await sleep(5);
  await system.shutdown({ timeoutMs: 20 });
  t.same(await stuck.exited, { type: 'killed' });
  t.throws(() => new ActorSystem().shutdown({ timeoutMs: -1 }), {
    code: 'ARQ_ERR_INVALID_OPTION',
    message: /options\.timeoutMs/,
  });
});

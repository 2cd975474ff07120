import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { type ActorRef, ActorSystem, type MonitorId } from '../../../actors/runtime/index.js';
import { Recorder } from './fixtures/recorder.js';
import { gate, waitFor } from './fixtures/wait.js';

/** An actor that crashes with `error` when told 'crash' and stops normally when told 'stop'. */
function crashable(error: unknown = new Error('crashed')): Recorder {
  return new Recorder({
    onMessage: (m, ctx) => {
      if (m === 'crash') throw error;
      if (m === 'stop') ctx.stop();
    },
  });
}

t.test('actor-bonds - a monitor delivers one down message with the exit reason', async (t) => {
  const system = new ActorSystem();
  const boom = new Error('boom');
  const target = system.spawn(crashable(boom));
  let monitor: MonitorId = -1;
  const watcher = new Recorder({
    started: (ctx) => {
      monitor = ctx.monitor(target);
    },
  });
  await system.spawnHandle(watcher).started;
  system.tell(target, 'crash');
  await waitFor(() => watcher.seen.length === 1, 'the down message');
  t.same(watcher.seen, [
    { type: 'down', ref: target, monitor, reason: { type: 'error', error: boom } },
  ]);
  await system.shutdown();
});

t.test('actor-bonds - monitoring an actor that is not alive gives noproc', async (t) => {
  const system = new ActorSystem();
  const target = system.spawn(crashable());
  await system.stop(target);
  const watcher = new Recorder({ started: (ctx) => void ctx.monitor(target) });
  system.spawn(watcher);
  await waitFor(() => watcher.seen.length === 1, 'the down message');
  t.match(watcher.seen[0], { type: 'down', ref: { id: target.id }, reason: { type: 'noproc' } });
  await system.shutdown();
});

t.test('actor-bonds - demonitor drops the monitor, even a down already queued', async (t) => {
  const system = new ActorSystem();
  const early = system.spawn(crashable());
  const late = system.spawn(crashable());
  const hold = gate();
  const watcher = new Recorder({
    onMessage: async (m, ctx) => {
      if (m !== 'watch') return;
      const a = ctx.monitor(early);
      const b = ctx.monitor(late);
      t.equal(ctx.demonitor(a), true);
      await hold.promise; // `late` dies meanwhile: its down is queued
      t.equal(ctx.demonitor(b), true);
      t.equal(ctx.demonitor(b), false, 'second demonitor finds nothing');
    },
  });
  const ref = system.spawn(watcher);
  system.tell(ref, 'watch');
  await waitFor(() => watcher.seen.length === 1, 'watch');
  system.kill(early);
  system.kill(late);
  hold.open();
  system.tell(ref, 'after');
  await waitFor(() => watcher.seen.includes('after'), 'after');
  await sleep(5);
  t.same(watcher.seen, ['watch', 'after'], 'no down message reached the watcher');
  await system.shutdown();
});

t.test('actor-bonds - an abnormal exit takes linked actors down, along the chain', async (t) => {
  const system = new ActorSystem();
  const boom = new Error('boom');
  const c = system.spawn(crashable(boom));
  const middle = new Recorder({ started: (ctx) => ctx.link(c) });
  const b = system.spawnHandle(middle);
  const first = new Recorder({ started: (ctx) => ctx.link(b.ref) });
  const a = system.spawnHandle(first);
  await Promise.all([a.started, b.started]);
  system.tell(c, 'crash');
  const [reasonA, reasonB] = await Promise.all([a.exited, b.exited]);
  t.match(reasonB, { type: 'error', error: { code: 'ARQ_ERR_LINKED_EXIT' } });
  t.same((reasonB as { error: Error }).error.cause, { type: 'error', error: boom }, 'cause kept');
  t.match(reasonA, { type: 'error', error: { code: 'ARQ_ERR_LINKED_EXIT', cause: reasonB } });
  t.same([first.stops, middle.stops], [[], []], 'stopped does not run for a linked exit');
  await system.shutdown();
});

t.test('actor-bonds - a normal exit does not take linked actors down', async (t) => {
  const system = new ActorSystem();
  const target = system.spawn(crashable());
  const { ref, started } = system.spawnHandle(new Recorder({ started: (ctx) => ctx.link(target) }));
  await started;
  await system.stop(target, { type: 'normal' });
  await sleep(5);
  t.equal(system.isAlive(ref), true);
  await system.shutdown();
});

t.test('actor-bonds - an actor that traps exits gets exit messages instead', async (t) => {
  const system = new ActorSystem();
  const crasher = system.spawn(crashable());
  const quitter = system.spawn(crashable());
  const trapper = new Recorder({
    started: (ctx) => {
      ctx.link(crasher);
      ctx.link(quitter);
    },
  });
  const { ref, started } = system.spawnHandle(trapper, { trapExits: true });
  await started;
  system.tell(crasher, 'crash');
  system.tell(quitter, 'stop');
  await waitFor(() => trapper.seen.length === 2, 'two exit messages');
  t.match(trapper.seen, [
    { type: 'exit', ref: { id: crasher.id }, reason: { type: 'error' } },
    { type: 'exit', ref: { id: quitter.id }, reason: { type: 'normal' } },
  ]);
  t.equal(system.isAlive(ref), true);
  await system.shutdown();
});

t.test('actor-bonds - ctx.trapExits switches trapping on at run time', async (t) => {
  const system = new ActorSystem();
  const crasher = system.spawn(crashable());
  const trapper = new Recorder({
    started: (ctx) => {
      ctx.trapExits(true);
      ctx.link(crasher);
    },
  });
  await system.spawnHandle(trapper).started;
  system.kill(crasher);
  await waitFor(() => trapper.seen.length === 1, 'exit message');
  t.match(trapper.seen[0], { type: 'exit', reason: { type: 'killed' } });
  await system.shutdown();
});

t.test('actor-bonds - unlink stops the propagation', async (t) => {
  const system = new ActorSystem();
  const crasher = system.spawn(crashable());
  const { ref, started } = system.spawnHandle(
    new Recorder({
      started: (ctx) => {
        ctx.link(crasher);
        ctx.unlink(crasher);
      },
    }),
  );
  await started;
  system.tell(crasher, 'crash');
  await system.exited(crasher).catch(() => undefined);
  await sleep(5);
  t.equal(system.isAlive(ref), true);
  await system.shutdown();
});

t.test('actor-bonds - linking to an actor that is not alive sends noproc', async (t) => {
  const system = new ActorSystem();
  const dead: ActorRef = system.spawn(crashable());
  system.kill(dead);
  const plain = system.spawnHandle(new Recorder({ started: (ctx) => ctx.link(dead) }));
  const trapper = new Recorder({ started: (ctx) => ctx.link(dead) });
  system.spawn(trapper, { trapExits: true });
  t.match(await plain.exited, {
    type: 'error',
    error: { code: 'ARQ_ERR_LINKED_EXIT', cause: { type: 'noproc' } },
  });
  await waitFor(() => trapper.seen.length === 1, 'exit message');
  t.match(trapper.seen[0], { type: 'exit', ref: { id: dead.id }, reason: { type: 'noproc' } });
  await system.shutdown();
});

t.test(
  'actor-bonds - a child spawned with link takes its parent down when it fails to start',
  async (t) => {
    const system = new ActorSystem();
    const parent = system.spawnHandle(
      new Recorder({
        started: (ctx) => {
          ctx.spawn(
            new Recorder({
              started: () => {
                throw new Error('child init failed');
              },
            }),
            { link: true },
          );
        },
      }),
    );
    await parent.started;
    t.match(await parent.exited, {
      type: 'error',
      error: {
        code: 'ARQ_ERR_LINKED_EXIT',
        cause: { type: 'error', error: { message: 'child init failed' } },
      },
    });
    await system.shutdown();
  },
);

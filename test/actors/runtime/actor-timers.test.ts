import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { ActorSystem, type TimerId } from '../../../actors/runtime/index.js';
import { Recorder } from './fixtures/recorder.js';
import { gate, waitFor } from './fixtures/wait.js';

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

t.test('actor-timers - a timer fires by queueing a message, handled in turn', async (t) => {
  const system = new ActorSystem();
  const hold = gate();
  const log: string[] = [];
  const ref = system.spawn(
    new Recorder({
      onMessage: async (m, ctx) => {
        log.push(`begin ${m}`);
        if (m === 'slow') {
          ctx.setTimeout(1, 'tick');
          await hold.promise;
        }
        log.push(`end ${m}`);
      },
    }),
  );
  system.tell(ref, 'slow');
  await waitFor(() => log.length === 1, 'the slow message');
  system.tell(ref, 'queued');
  await sleep(30); // the 1 ms timer fires meanwhile, while the actor is busy
  t.same(log, ['begin slow'], 'the timer did not run anything while the actor was busy');
  hold.open();
  await waitFor(() => log.length === 6, 'all messages');
  t.same(log, ['begin slow', 'end slow', 'begin queued', 'end queued', 'begin tick', 'end tick']);
  await system.shutdown();
});

t.test('actor-timers - an interval repeats until cancelled', async (t) => {
  const system = new ActorSystem();
  let ticks = 0;
  let timer: TimerId = 0;
  const rec = new Recorder({
    started: (ctx) => {
      timer = ctx.setInterval(1, 'tick');
    },
    onMessage: (m, ctx) => {
      if (m === 'tick' && ++ticks === 3) t.equal(ctx.cancelTimer(timer), true, 'cancelled');
    },
  });
  system.spawn(rec);
  await waitFor(() => ticks === 3, 'three ticks');
  await sleep(30);
  t.equal(ticks, 3, 'no tick after cancelTimer');
  await system.shutdown();
});

t.test('actor-timers - a busy actor gets one pending interval tick, not a backlog', async (t) => {
  const system = new ActorSystem();
  const hold = gate();
  const rec = new Recorder({
    started: (ctx) => {
      ctx.setInterval(1, 'tick');
    },
    onMessage: (m) => (m === 'block' ? hold.promise : undefined),
  });
  const ref = system.spawn(rec);
  system.tell(ref, 'block');
  await waitFor(() => rec.seen.includes('block'), 'the block');
  await sleep(30); // ~30 periods elapse while the actor is busy
  hold.open();
  system.tell(ref, 'marker');
  await waitFor(() => rec.seen.includes('marker'), 'the marker');
  const afterBlock = rec.seen.slice(rec.seen.indexOf('block') + 1);
  t.same(afterBlock.slice(0, 2), ['tick', 'marker'], 'one tick was waiting, then the marker');
  await system.shutdown();
});

t.test('actor-timers - cancelling drops a tick that is already queued', async (t) => {
  const system = new ActorSystem();
  const hold = gate();
  const rec = new Recorder({
    onMessage: async (m, ctx) => {
      if (m !== 'start') return;
      const id = ctx.setTimeout(1, 'tick');
      await hold.promise; // the tick is queued meanwhile
      ctx.cancelTimer(id);
    },
  });
  const ref = system.spawn(rec);
  system.tell(ref, 'start');
  await waitFor(() => rec.seen.length === 1, 'start');
  await sleep(20);
  hold.open();
  system.tell(ref, 'after');
  await waitFor(() => rec.seen.includes('after'), 'after');
  await sleep(5);
  t.same(rec.seen, ['start', 'after']);
  await system.shutdown();
});

t.test('actor-timers - timers are cleared when the actor dies', async (t) => {
  const system = new ActorSystem();
  const before = activeTimers();
  const handle = system.spawnHandle(
    new Recorder({
      started: (ctx) => {
        ctx.setTimeout(60_000, 'late');
        ctx.setTimeout(120_000, 'later');
        ctx.setInterval(1_000, 'tick');
      },
    }),
  );
  await handle.started;
  t.equal(activeTimers(), before + 3, 'three timers armed');
  system.kill(handle.ref);
  t.equal(activeTimers(), before, 'all cleared by the death');
  await system.shutdown();
});

t.test('actor-timers - bad delays are refused with ARQ_ERR_INVALID_ARGUMENT', async (t) => {
  const system = new ActorSystem();
  const errors: unknown[] = [];
  const rec = new Recorder({
    onMessage: (_m, ctx) => {
      for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
        try {
          ctx.setTimeout(bad, 'x');
        } catch (e) {
          errors.push(e);
        }
      }
    },
  });
  system.tell(system.spawn(rec), 'go');
  await waitFor(() => rec.seen.length === 1, 'the message');
  t.equal(errors.length, 4);
  for (const e of errors) {
    t.match(e, { code: 'ARQ_ERR_INVALID_ARGUMENT', message: /delayMs must be a number/ });
  }
  await system.shutdown();
});

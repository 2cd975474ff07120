import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { type ActorContext, ActorError, ActorSystem } from '../../../actors/runtime/index.js';
import { Recorder } from './fixtures/recorder.js';
import { gate, waitFor } from './fixtures/wait.js';

t.test('actor-cell - an async receive runs to completion before the next message', async (t) => {
  const system = new ActorSystem();
  const log: string[] = [];
  const ref = system.spawn(
    new Recorder({
      onMessage: async (m) => {
        log.push(`start ${m}`);
        await sleep(Number(m) % 2 === 0 ? 3 : 0);
        await Promise.resolve();
        log.push(`end ${m}`);
      },
    }),
  );
  for (let i = 0; i < 6; i++) system.tell(ref, i);
  await waitFor(() => log.length === 12, 'all messages');
  t.same(
    log,
    [0, 1, 2, 3, 4, 5].flatMap((i) => [`start ${i}`, `end ${i}`]),
  );
  await system.shutdown();
});

t.test('actor-cell - started runs, and settles, before the first message', async (t) => {
  const system = new ActorSystem();
  const log: string[] = [];
  const ref = system.spawn(
    new Recorder({
      started: async (ctx) => {
        log.push('started begins');
        await sleep(5);
        log.push(`started ends as ${ctx.self.id}`);
      },
      onMessage: (m) => void log.push(`got ${m}`),
    }),
  );
  system.tell(ref, 'a');
  system.tell(ref, 'b');
  await waitFor(() => log.length === 4, 'messages');
  t.same(log, ['started begins', `started ends as ${ref.id}`, 'got a', 'got b']);
  await system.shutdown();
});

t.test('actor-cell - a throwing receive ends the actor with an error reason', async (t) => {
  const system = new ActorSystem();
  const boom = new ActorError('ARQ_ERR_INVALID_ARGUMENT', 'boom');
  const rec = new Recorder({
    onMessage: (m) => {
      if (m === 'crash') throw boom;
    },
  });
  const ref = system.spawn(rec);
  const exited = system.exited(ref);
  system.tell(ref, 'ok');
  system.tell(ref, 'crash');
  system.tell(ref, 'never');
  t.same(await exited, { type: 'error', error: boom });
  t.same(rec.seen, ['ok', 'crash'], 'nothing handled after the crash');
  t.same(
    rec.stops,
    [{ type: 'error', error: boom }],
    'stopped ran with the reason (OTP terminate)',
  );
  t.equal(system.isAlive(ref), false);
  t.doesNotThrow(() => system.tell(ref, 'to a dead actor'), 'a tell to a dead actor is a no-op');
  await system.shutdown();
});

t.test('actor-cell - a rejecting async receive ends the actor the same way', async (t) => {
  const system = new ActorSystem();
  const ref = system.spawn(
    new Recorder({
      onMessage: async () => {
        await sleep(1);
        throw new TypeError('late failure');
      },
    }),
  );
  system.tell(ref, 'x');
  const reason = await system.exited(ref);
  t.equal(reason.type, 'error');
  t.match(reason, { error: { message: 'late failure' } });
  await system.shutdown();
});

t.test('actor-cell - ctx.stop ends the actor after the current message', async (t) => {
  const system = new ActorSystem();
  const rec = new Recorder({ onMessage: (m, ctx) => (m === 'stop' ? ctx.stop() : undefined) });
  const ref = system.spawn(rec);
  const exited = system.exited(ref);
  system.tell(ref, 'stop');
  system.tell(ref, 'dropped');
  const ask = system.ask(ref, 'asked too late');
  t.same(await exited, { type: 'normal' });
  t.same(rec.seen, ['stop']);
  t.same(rec.stops, [{ type: 'normal' }]);
  await t.rejects(ask, { code: 'ARQ_ERR_NO_PROC' }, 'a queued ask fails when the actor dies');
  await system.shutdown();
});

t.test('actor-cell - a graceful stop waits for the async receive in progress', async (t) => {
  const system = new ActorSystem();
  const hold = gate();
  const log: string[] = [];
  const ref = system.spawn(
    new Recorder({
      onMessage: async (m) => {
        log.push(`begin ${m}`);
        await hold.promise;
        log.push(`end ${m}`);
      },
      stopped: (_ctx, reason) => void log.push(`stopped ${reason.type}`),
    }),
  );
  system.tell(ref, 'work');
  await waitFor(() => log.length === 1, 'work to begin');
  const stopped = system.stop(ref);
  await sleep(5);
  t.same(log, ['begin work'], 'not stopped while the receive is pending');
  hold.open();
  t.same(await stopped, { type: 'shutdown' });
  t.same(log, ['begin work', 'end work', 'stopped shutdown']);
  await system.shutdown();
});

t.test('actor-cell - kill ends an actor mid-await, without stopped', async (t) => {
  const system = new ActorSystem();
  const hold = gate();
  const rec = new Recorder({ onMessage: () => hold.promise });
  const ref = system.spawn(rec);
  system.tell(ref, 'first');
  system.tell(ref, 'second');
  await waitFor(() => rec.seen.length === 1, 'first message');
  const exited = system.exited(ref);
  system.kill(ref);
  t.equal(system.isAlive(ref), false, 'dead at once');
  t.same(await exited, { type: 'killed' });
  await t.rejects(system.exited(ref), { code: 'ARQ_ERR_NO_PROC' }, 'exited of a dead actor');
  hold.open();
  await sleep(5);
  t.same(rec.seen, ['first'], 'the second message is never handled');
  t.same(rec.stops, [], 'stopped does not run for a kill');
  await system.shutdown();
});

t.test(
  'actor-cell - a kill from inside its own receive waits for the receive to return',
  async (t) => {
    const system = new ActorSystem();
    const log: string[] = [];
    const ref = system.spawn(
      new Recorder({
        onMessage: (m, ctx) => {
          log.push(`got ${m}`);
          system.kill(ctx.self);
          log.push('still running this call');
          ctx.tell(ctx.self, 'after');
        },
      }),
    );
    const exited = system.exited(ref);
    system.tell(ref, 'first');
    t.same(await exited, { type: 'killed' });
    await sleep(5);
    t.same(log, ['got first', 'still running this call']);
    await system.shutdown();
  },
);

t.test('actor-cell - a failing started ends the actor without stopped', async (t) => {
  const system = new ActorSystem();
  const rec = new Recorder({
    started: () => {
      throw new RangeError('cannot init');
    },
  });
  const handle = system.spawnHandle(rec);
  system.tell(handle.ref, 'never');
  const err = await t.rejects(handle.started, { code: 'ARQ_ERR_START_FAILED' });
  t.match((err as unknown as ActorError).cause, { message: 'cannot init' });
  t.match(await handle.exited, { type: 'error', error: { message: 'cannot init' } });
  t.same(rec.seen, []);
  t.same(rec.stops, []);
  await system.shutdown();
});

t.test('actor-cell - a stopped callback that throws turns the exit into an error', async (t) => {
  const system = new ActorSystem();
  const ref = system.spawn(
    new Recorder({
      stopped: async () => {
        await sleep(1);
        throw new Error('cleanup failed');
      },
    }),
  );
  const reason = await system.stop(ref, { type: 'normal' });
  t.match(reason, { type: 'error', error: { message: 'cleanup failed' } });
  await system.shutdown();
});

t.test('actor-cell - reply outside an ask throws ARQ_ERR_NOT_ASKED', async (t) => {
  const system = new ActorSystem();
  let caught: unknown = null;
  const rec = new Recorder({
    onMessage: (_m, ctx) => {
      try {
        ctx.reply('nobody asked');
      } catch (e) {
        caught = e;
      }
    },
  });
  system.tell(system.spawn(rec), 'tell');
  await waitFor(() => caught !== null, 'the reply attempt');
  t.match(caught, { code: 'ARQ_ERR_NOT_ASKED' });
  t.ok(caught instanceof ActorError);
  await system.shutdown();
});

t.test('actor-cell - a dead actor context refuses timers, monitors and spawns', async (t) => {
  const system = new ActorSystem();
  let saved: ActorContext | null = null;
  const ref = system.spawn(
    new Recorder({
      onMessage: (_m, ctx) => {
        saved = ctx;
      },
    }),
  );
  system.tell(ref, 'x');
  await waitFor(() => saved !== null, 'context');
  system.kill(ref);
  const ctx = saved as unknown as ActorContext;
  t.throws(() => ctx.setTimeout(1, 'x'), { code: 'ARQ_ERR_NO_PROC' });
  t.throws(() => ctx.monitor(ref), { code: 'ARQ_ERR_NO_PROC' });
  t.throws(() => ctx.link(ref), { code: 'ARQ_ERR_NO_PROC' });
  t.throws(() => ctx.spawn(new Recorder()), { code: 'ARQ_ERR_NO_PROC' });
  await system.shutdown();
});

import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { ActorSystem, type ReplyTarget } from '../../../actors/runtime/index.js';
import { Recorder } from './fixtures/recorder.js';
import { waitFor } from './fixtures/wait.js';

/** Replies to {n} with n * 2. */
function doubler(): Recorder {
  return new Recorder({ onMessage: (m, ctx) => ctx.reply((m as { n: number }).n * 2) });
}

t.test('ask-registry - an ask resolves with the value passed to ctx.reply', async (t) => {
  const system = new ActorSystem();
  const ref = system.spawn(doubler());
  t.equal(await system.ask<number>(ref, { n: 21 }), 42);
  const answers = await Promise.all([1, 2, 3].map((n) => system.ask<number>(ref, { n })));
  t.same(answers, [2, 4, 6]);
  t.equal(system.stats().pendingAsks, 0);
  await system.shutdown();
});

t.test('ask-registry - an actor awaiting an ask stays busy until the answer', async (t) => {
  const system = new ActorSystem();
  const callee = system.spawn(doubler());
  const log: unknown[] = [];
  const caller = system.spawn(
    new Recorder({
      onMessage: async (m, ctx) => {
        log.push(`begin ${m}`);
        log.push(await ctx.ask(callee, { n: Number(m) }));
      },
    }),
  );
  system.tell(caller, 1);
  system.tell(caller, 2);
  await waitFor(() => log.length === 4, 'both asks');
  t.same(log, ['begin 1', 2, 'begin 2', 4]);
  await system.shutdown();
});

t.test(
  'ask-registry - a reply target can be kept and answered later, from elsewhere',
  async (t) => {
    const system = new ActorSystem();
    const helper = system.spawn(
      new Recorder({
        onMessage: (m, ctx) => {
          const { target, value } = m as { target: ReplyTarget; value: string };
          ctx.replyTo(target, `${value} (answered by the helper)`);
        },
      }),
    );
    const front = system.spawn(
      new Recorder({
        onMessage: (m, ctx) => {
          const target = ctx.replyTarget;
          if (target === null) throw new Error('expected an ask');
          ctx.tell(helper, { target: JSON.parse(JSON.stringify(target)), value: m });
        },
      }),
    );
    t.equal(await system.ask(front, 'hello'), 'hello (answered by the helper)');
    await system.shutdown();
  },
);

t.test('ask-registry - no reply in time rejects with ARQ_ERR_ASK_TIMEOUT', async (t) => {
  const system = new ActorSystem();
  const kept: ReplyTarget[] = [];
  const silent = system.spawn(
    new Recorder({ onMessage: (_m, ctx) => void kept.push(ctx.replyTarget as ReplyTarget) }),
  );
  await t.rejects(system.ask(silent, 'anyone?', { timeoutMs: 20 }), {
    code: 'ARQ_ERR_ASK_TIMEOUT',
    message: /got no reply within 20 ms/,
  });
  t.equal(system.stats().pendingAsks, 0, 'forgotten after the timeout');
  // A late reply finds nothing to settle and is ignored.
  const late = system.spawn(
    new Recorder({ onMessage: (_m, ctx) => ctx.replyTo(kept[0] as ReplyTarget, 'late') }),
  );
  system.tell(late, 'answer now');
  await sleep(5);
  t.equal(system.stats().pendingAsks, 0);
  await system.shutdown();
});

t.test(
  'ask-registry - asking an actor that is not alive rejects at once with NO_PROC',
  async (t) => {
    const system = new ActorSystem();
    const ref = system.spawn(doubler());
    await system.stop(ref);
    // A 60 s timeout: only a prompt NO_PROC can settle this within the test.
    await t.rejects(system.ask(ref, { n: 1 }, { timeoutMs: 60_000 }), {
      code: 'ARQ_ERR_NO_PROC',
    });
    await system.shutdown();
  },
);

t.test(
  'ask-registry - a callee that dies before answering fails the ask with NO_PROC',
  async (t) => {
    const system = new ActorSystem();
    const boom = new Error('boom');
    const ref = system.spawn(
      new Recorder({
        onMessage: (m, ctx) => {
          if (m === 'keep') return; // taken, answer deferred
          if (m === 'crash') throw boom;
          ctx.reply('never reached');
        },
      }),
    );
    const kept = system.ask(ref, 'keep', { timeoutMs: 60_000 });
    system.tell(ref, 'crash');
    const queued = system.ask(ref, 'queued behind the crash', { timeoutMs: 60_000 });
    const err = await t.rejects(kept, { code: 'ARQ_ERR_NO_PROC' });
    t.same((err as unknown as Error).cause, { type: 'error', error: boom }, 'exit reason as cause');
    await t.rejects(queued, { code: 'ARQ_ERR_NO_PROC' });
    await system.shutdown();
  },
);

t.test('ask-registry - a bad timeout is refused with ARQ_ERR_INVALID_OPTION', async (t) => {
  const system = new ActorSystem();
  const ref = system.spawn(doubler());
  for (const bad of [0, -5, Number.NaN, 2 ** 31]) {
    await t.rejects(system.ask(ref, { n: 1 }, { timeoutMs: bad }), {
      code: 'ARQ_ERR_INVALID_OPTION',
      message: /options\.timeoutMs/,
    });
  }
  await system.shutdown();
});

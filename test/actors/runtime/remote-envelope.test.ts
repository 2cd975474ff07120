import t from 'tap';
import {
  type ActorRef,
  ActorSystem,
  type DownMessage,
  type RemoteEnvelope,
} from '../../../actors/runtime/index.js';
import { LoopbackNetwork } from './fixtures/loopback-network.js';
import { Recorder } from './fixtures/recorder.js';
import { waitFor } from './fixtures/wait.js';

function pair(): { net: LoopbackNetwork; a: ActorSystem; b: ActorSystem } {
  const net = new LoopbackNetwork();
  const a = new ActorSystem({ node: 'node-a', thread: 1, transport: net.transport() });
  const b = new ActorSystem({ node: 'node-b', thread: 1, transport: net.transport() });
  return { net, a, b };
}

/** Replies with the message doubled; crashes on 'crash'; never answers 'silence'. */
function service(): Recorder {
  return new Recorder({
    onMessage: (m, ctx) => {
      if (m === 'crash') throw new TypeError('remote crash');
      if (typeof m === 'number' && ctx.replyTarget !== null) ctx.reply(m * 2);
    },
  });
}

t.test('remote-envelope - tells cross systems in order', async (t) => {
  const { a, b } = pair();
  const rec = new Recorder();
  const target = b.spawn(rec);
  for (let i = 0; i < 500; i++) a.tell(target, i);
  await waitFor(() => rec.seen.length === 500, 'all tells');
  t.same(
    rec.seen,
    Array.from({ length: 500 }, (_, i) => i),
  );
  await Promise.all([a.shutdown(), b.shutdown()]);
});

t.test('remote-envelope - ask and reply travel as envelopes with a correlation id', async (t) => {
  const { net, a, b } = pair();
  const target = b.spawn(service());
  t.equal(await a.ask(target, 21), 42);
  const ask = net.sent.find((e) => e.type === 'ask');
  t.match(ask, { type: 'ask', to: target, replyTo: a.address, message: 21 });
  t.match(
    net.sent.find((e) => e.type === 'reply'),
    {
      type: 'reply',
      to: a.address,
      correlationId: (ask as { correlationId: number }).correlationId,
    },
  );
  // From inside an actor, awaiting the remote answer.
  const answers: unknown[] = [];
  const caller = a.spawn(
    new Recorder({ onMessage: async (m, ctx) => void answers.push(await ctx.ask(target, m)) }),
  );
  a.tell(caller, 1);
  a.tell(caller, 2);
  await waitFor(() => answers.length === 2, 'answers');
  t.same(answers, [2, 4]);
  await Promise.all([a.shutdown(), b.shutdown()]);
});

t.test(
  'remote-envelope - asks to dead or silent remote actors fail with typed errors',
  async (t) => {
    const { a, b } = pair();
    const gone = b.spawn(service());
    await b.stop(gone);
    await t.rejects(a.ask(gone, 1, { timeoutMs: 60_000 }), { code: 'ARQ_ERR_NO_PROC' });
    const silent = b.spawn(service());
    await t.rejects(a.ask(silent, 'silence', { timeoutMs: 20 }), { code: 'ARQ_ERR_ASK_TIMEOUT' });
    const crashing = b.spawn(service());
    const open = a.ask(crashing, 'silence', { timeoutMs: 60_000 });
    b.tell(crashing, 'crash');
    await t.rejects(open, { code: 'ARQ_ERR_NO_PROC', cause: { type: 'error' } });
    await Promise.all([a.shutdown(), b.shutdown()]);
  },
);

t.test('remote-envelope - monitors across systems report portable exit reasons', async (t) => {
  const { a, b } = pair();
  const target = b.spawn(service());
  const dead = b.spawn(service());
  await b.stop(dead);
  const watcher = new Recorder({
    started: (ctx) => {
      ctx.monitor(target);
      ctx.monitor(dead);
      const dropped = ctx.monitor(b.spawn(service()));
      ctx.demonitor(dropped);
    },
  });
  await a.spawnHandle(watcher).started;
  await waitFor(() => watcher.seen.length === 1, 'noproc for the dead target');
  t.match(watcher.seen[0], { type: 'down', ref: { id: dead.id }, reason: { type: 'noproc' } });
  b.tell(target, 'crash');
  await waitFor(() => watcher.seen.length === 2, 'down for the crash');
  const down = watcher.seen[1] as DownMessage;
  t.match(down, { type: 'down', ref: { node: 'node-b', id: target.id } });
  t.notOk(down.reason.type === 'error' && down.reason.error instanceof Error, 'plain data');
  t.match(down.reason, {
    type: 'error',
    error: { name: 'TypeError', message: 'remote crash', code: null, stack: /remote crash/ },
  });
  await b.shutdown();
  await a.shutdown();
  t.equal(watcher.seen.length, 2, 'no down from the demonitored actor');
});

t.test('remote-envelope - links across systems propagate exits', async (t) => {
  const { net, a, b } = pair();
  const crasher = b.spawn(service());
  const trapper = new Recorder({ started: (ctx) => ctx.link(crasher) });
  const plain = a.spawnHandle(new Recorder({ started: (ctx) => ctx.link(crasher) }));
  await Promise.all([a.spawnHandle(trapper, { trapExits: true }).started, plain.started]);
  await waitFor(() => net.sent.filter((e) => e.type === 'link').length === 2, 'links sent');
  b.tell(crasher, 'crash');
  t.match(await plain.exited, {
    type: 'error',
    error: { code: 'ARQ_ERR_LINKED_EXIT', cause: { type: 'error', error: { name: 'TypeError' } } },
  });
  await waitFor(() => trapper.seen.length === 1, 'exit message');
  t.match(trapper.seen[0], { type: 'exit', ref: { node: 'node-b' }, reason: { type: 'error' } });
  await Promise.all([a.shutdown(), b.shutdown()]);
});

t.test('remote-envelope - a full remote mailbox is reported back to the sender', async (t) => {
  const { a, b } = pair();
  const never = new Promise<void>(() => {});
  const slow = new Recorder({ onMessage: () => never });
  const target = b.spawn(slow, { mailboxCapacity: 1 });
  b.tell(target, 'occupy');
  await waitFor(() => slow.seen.length === 1, 'target busy');
  const sender = new Recorder({
    started: (ctx) => {
      ctx.tell(target, 'fits');
      ctx.tell(target, 'refused');
    },
  });
  a.spawn(sender);
  await waitFor(() => sender.seen.length === 1, 'overflow message');
  t.match(sender.seen[0], { type: 'overflow', ref: { node: 'node-b', id: target.id } });
  a.tell(target, 'refused too');
  await waitFor(() => b.stats().refusedRemoteTells === 1, 'counted without a sending actor');
  await a.shutdown();
  await b.shutdown({ timeoutMs: 10 });
});

t.test('remote-envelope - an unreachable peer fires noconnection and fails its asks', async (t) => {
  const { net, a, b } = pair();
  const target = b.spawn(service());
  const watcher = new Recorder({ started: (ctx) => void ctx.monitor(target) });
  const trapper = new Recorder({ started: (ctx) => ctx.link(target) });
  await a.spawnHandle(watcher).started;
  await a.spawnHandle(trapper, { trapExits: true }).started;
  const open = a.ask(target, 'silence', { timeoutMs: 60_000 });
  await waitFor(() => net.sent.some((e) => e.type === 'ask'), 'ask sent');
  net.cut(b.address);
  await t.rejects(open, { code: 'ARQ_ERR_NO_PROC', cause: { type: 'noconnection' } });
  await waitFor(() => watcher.seen.length === 1 && trapper.seen.length === 1, 'signals');
  t.match(watcher.seen[0], { type: 'down', reason: { type: 'noconnection' } });
  t.match(trapper.seen[0], { type: 'exit', reason: { type: 'noconnection' } });
  t.throws(() => a.tell(target, 'x'), { code: 'ARQ_ERR_NO_ROUTE' });
  await Promise.all([a.shutdown(), b.shutdown()]);
});

t.test('remote-envelope - an envelope for another system is refused', async (t) => {
  const { a } = pair();
  const stray: RemoteEnvelope = {
    type: 'tell',
    to: { node: 'node-z', thread: 1, id: 1 } as ActorRef,
    from: null,
    message: 'x',
  };
  t.throws(() => a.deliverRemote(stray), { code: 'ARQ_ERR_MISROUTED' });
  await a.shutdown();
});

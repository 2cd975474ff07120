import t from 'tap';
import { type ActorRef, ActorSystem } from '../../../actors/runtime/index.js';
import { Recorder } from './fixtures/recorder.js';
import { gate, waitFor } from './fixtures/wait.js';

t.test('mailbox - messages are handled in the order they were sent', async (t) => {
  const system = new ActorSystem();
  const rec = new Recorder();
  const ref = system.spawn(rec);
  const sent = Array.from({ length: 5000 }, (_, i) => i);
  for (const i of sent) system.tell(ref, i);
  await waitFor(() => rec.seen.length === sent.length, 'all messages');
  t.same(rec.seen, sent);
  await system.shutdown();
});

t.test('mailbox - a full bounded mailbox refuses tells and asks with a typed error', async (t) => {
  const system = new ActorSystem();
  const hold = gate();
  const other = system.spawn(new Recorder());
  const rec = new Recorder({
    onMessage: (message) => (message === 'block' ? hold.promise : undefined),
    started: (ctx) => {
      ctx.monitor(other);
    },
  });
  const ref: ActorRef = system.spawn(rec, { mailboxCapacity: 2 });
  system.tell(ref, 'block');
  await waitFor(() => rec.seen.length === 1, 'the blocking message');

  system.tell(ref, 'a');
  system.tell(ref, 'b');
  t.throws(() => system.tell(ref, 'c'), { code: 'ARQ_ERR_MAILBOX_FULL' }, 'tell refused');
  await t.rejects(system.ask(ref, 'd'), { code: 'ARQ_ERR_MAILBOX_FULL' }, 'ask refused');

  // System messages are not subject to the bound: the down for `other` still gets in.
  system.kill(other);
  hold.open();
  await waitFor(() => rec.seen.length === 4, 'the queued messages');
  t.same(rec.seen.slice(0, 3), ['block', 'a', 'b']);
  t.match(rec.seen[3], { type: 'down', ref: { id: other.id }, reason: { type: 'killed' } });

  system.tell(ref, 'e');
  await waitFor(() => rec.seen.length === 5, 'room again once drained');
  await system.shutdown();
});

t.test('mailbox - the bound is validated at spawn', async (t) => {
  const system = new ActorSystem();
  for (const bad of [0, -1, 1.5, Number.NaN, '3']) {
    t.throws(() => system.spawn(new Recorder(), { mailboxCapacity: bad as number }), {
      code: 'ARQ_ERR_INVALID_OPTION',
      message: /options\.mailboxCapacity must be a positive integer/,
    });
  }
  t.ok(system.spawn(new Recorder(), { mailboxCapacity: Number.POSITIVE_INFINITY }));
  await system.shutdown();
});

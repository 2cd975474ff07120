import t from 'tap';
import { affectedChildren, RESTART_STRATEGIES, Supervisor } from '../../supervision/index.js';
import { TestFleet } from './fixtures/test-child.js';
import { waitFor } from './fixtures/wait-for.js';

t.test('restart strategy - affected children of each strategy', async (t) => {
  const children = ['a', 'b', 'c', 'd'];
  t.same(affectedChildren('one_for_one', children, 'b'), ['b']);
  t.same(affectedChildren('one_for_all', children, 'b'), ['a', 'b', 'c', 'd']);
  t.same(affectedChildren('rest_for_one', children, 'b'), ['b', 'c', 'd']);
  t.same(affectedChildren('rest_for_one', children, 'd'), ['d']);
  t.same(RESTART_STRATEGIES, ['one_for_one', 'one_for_all', 'rest_for_one']);
});

async function crashAndWatch(
  strategy: (typeof RESTART_STRATEGIES)[number],
  expectedRestarts: readonly string[],
) {
  const fleet = new TestFleet();
  const ids = ['a', 'b', 'c', 'd'];
  const supervisor = new Supervisor({
    strategy,
    maxRestarts: 10,
    periodMs: 60_000,
    children: ids.map((id) => fleet.spec(id)),
  });
  await supervisor.start();
  const untouched = ids
    .filter((id) => !expectedRestarts.includes(id))
    .map((id) => fleet.current(id));
  const mark = fleet.journal.entries.length;
  fleet.current('b').crash();
  const last = expectedRestarts[expectedRestarts.length - 1]!;
  await waitFor(() => fleet.starts(last) === 2, `${last} restarted`);
  const log = fleet.journal.since(mark);
  const stillRunning = untouched.every((child) => !child.done);
  const running = supervisor.which().every((info) => info.running);
  await supervisor.stop();
  return { log, stillRunning, running };
}

t.test('restart strategy - one_for_one restarts only the dead child', async (t) => {
  const { log, stillRunning, running } = await crashAndWatch('one_for_one', ['b']);
  t.same(log, ['exit:b:error', 'start:b']);
  t.ok(stillRunning, 'a, c, d kept their instances');
  t.ok(running);
});

t.test(
  'restart strategy - one_for_all stops the others in reverse, restarts all in order',
  async (t) => {
    const { log, running } = await crashAndWatch('one_for_all', ['a', 'b', 'c', 'd']);
    t.same(log, [
      'exit:b:error',
      'stop:d',
      'exit:d:shutdown',
      'stop:c',
      'exit:c:shutdown',
      'stop:a',
      'exit:a:shutdown',
      'start:a',
      'start:b',
      'start:c',
      'start:d',
    ]);
    t.ok(running);
  },
);

t.test(
  'restart strategy - rest_for_one stops the later ones in reverse, restarts from the dead one',
  async (t) => {
    const { log, stillRunning, running } = await crashAndWatch('rest_for_one', ['b', 'c', 'd']);
    t.same(log, [
      'exit:b:error',
      'stop:d',
      'exit:d:shutdown',
      'stop:c',
      'exit:c:shutdown',
      'start:b',
      'start:c',
      'start:d',
    ]);
    t.ok(stillRunning, 'a, started before b, kept its instance');
    t.ok(running);
  },
);

t.test(
  'restart strategy - one_for_all drops temporary siblings instead of restarting them',
  async (t) => {
    const fleet = new TestFleet();
    const supervisor = new Supervisor({
      strategy: 'one_for_all',
      children: [fleet.spec('a'), fleet.spec('tmp', { restart: 'temporary' }), fleet.spec('c')],
    });
    await supervisor.start();
    fleet.current('a').crash();
    await waitFor(() => fleet.starts('c') === 2, 'c restarted');
    t.equal(fleet.starts('tmp'), 1, 'the temporary child was not restarted');
    t.ok(fleet.current('tmp').done, 'but it was stopped');
    t.same(
      supervisor.which().map((info) => info.id),
      ['a', 'c'],
      'and removed',
    );
    await supervisor.stop();
  },
);

t.test(
  'restart strategy - one_for_all restarts a transient sibling that had ended normally (as OTP)',
  async (t) => {
    const fleet = new TestFleet();
    const supervisor = new Supervisor({
      strategy: 'one_for_all',
      children: [fleet.spec('a'), fleet.spec('tr', { restart: 'transient' })],
    });
    await supervisor.start();
    fleet.current('tr').finish();
    await fleet.current('tr').exited;
    fleet.current('a').crash();
    await waitFor(() => fleet.starts('tr') === 2, 'tr started again');
    t.ok(supervisor.which().every((info) => info.running));
    await supervisor.stop();
  },
);

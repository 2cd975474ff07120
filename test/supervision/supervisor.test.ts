import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import t from 'tap';
import {
  DEFAULT_SUPERVISOR_NAME,
  SUPERVISION_CHANNEL,
  type SupervisionEvent,
  Supervisor,
  SupervisorError,
} from '../../supervision/index.js';
import { TestFleet } from './fixtures/test-child.js';
import { waitFor } from './fixtures/wait-for.js';

function codeOf(reason: { readonly type: string; readonly error?: unknown }): unknown {
  return reason.error instanceof SupervisorError ? reason.error.code : undefined;
}

t.test('supervisor - starts children in order and stops them in reverse', async (t) => {
  const fleet = new TestFleet();
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    children: ['a', 'b', 'c'].map((id) => fleet.spec(id)),
  });
  await supervisor.start();
  t.same(fleet.journal.entries, ['start:a', 'start:b', 'start:c']);
  t.same(supervisor.which(), [
    { id: 'a', type: 'worker', restart: 'permanent', running: true },
    { id: 'b', type: 'worker', restart: 'permanent', running: true },
    { id: 'c', type: 'worker', restart: 'permanent', running: true },
  ]);
  await supervisor.stop();
  t.same(fleet.journal.since(3), [
    'stop:c',
    'exit:c:shutdown',
    'stop:b',
    'exit:b:shutdown',
    'stop:a',
    'exit:a:shutdown',
  ]);
  t.same(await supervisor.exited, { type: 'shutdown' });
  t.ok(supervisor.which().every((info) => !info.running));
  await supervisor.stop(); // idempotent
});

t.test('supervisor - a child that ignores stop is killed after its shutdown timeout', async (t) => {
  const fleet = new TestFleet();
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    children: [
      fleet.spec('a'),
      fleet.spec('stubborn', { shutdown: 50, stopBehaviour: 'ignore' }),
      fleet.spec('c'),
    ],
  });
  await supervisor.start();
  await supervisor.stop();
  t.same(fleet.journal.since(3), [
    'stop:c',
    'exit:c:shutdown',
    'stop:stubborn',
    'kill:stubborn',
    'exit:stubborn:killed',
    'stop:a',
    'exit:a:shutdown',
  ]);
});

t.test('supervisor - brutal_kill kills at once, infinity waits for a slow stop', async (t) => {
  const fleet = new TestFleet();
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    children: [
      fleet.spec('slow', { shutdown: 'infinity', stopBehaviour: { delayMs: 100 } }),
      fleet.spec('brutal', { shutdown: 'brutal_kill' }),
    ],
  });
  await supervisor.start();
  await supervisor.stop();
  t.same(fleet.journal.since(2), [
    'kill:brutal',
    'exit:brutal:killed',
    'stop:slow',
    'exit:slow:shutdown',
  ]);
});

t.test(
  'supervisor - a start failure stops the started children in reverse and rejects',
  async (t) => {
    const fleet = new TestFleet();
    fleet.failStarts('c', 1);
    const supervisor = new Supervisor({
      strategy: 'one_for_one',
      children: ['a', 'b', 'c', 'd'].map((id) => fleet.spec(id)),
    });
    const error = await supervisor.start().catch((e: unknown) => e);
    t.type(error, SupervisorError);
    t.equal((error as SupervisorError).code, 'ARQ_ERR_START_FAILED');
    t.match((error as SupervisorError).cause, { message: 'c refused to start' });
    t.same(fleet.journal.entries, [
      'start:a',
      'start:b',
      'start-failed:c',
      'stop:b',
      'exit:b:shutdown',
      'stop:a',
      'exit:a:shutdown',
    ]);
    const reason = await supervisor.exited;
    t.equal(reason.type, 'error');
    t.equal(codeOf(reason), 'ARQ_ERR_START_FAILED');
    await t.rejects(supervisor.start(), { code: 'ARQ_ERR_SUPERVISOR_STATE' });
  },
);

t.test('supervisor - kill() kills every child and exits with killed', async (t) => {
  const fleet = new TestFleet();
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    children: [fleet.spec('a'), fleet.spec('b', { stopBehaviour: 'ignore' })],
  });
  await supervisor.start();
  supervisor.kill();
  t.same(await supervisor.exited, { type: 'killed' });
  t.same(fleet.journal.since(2), ['kill:b', 'exit:b:killed', 'kill:a', 'exit:a:killed']);
  supervisor.kill(); // idempotent
});

t.test('supervisor - kill() during a slow stop cuts it short', async (t) => {
  const fleet = new TestFleet();
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    children: [fleet.spec('a'), fleet.spec('b', { shutdown: 'infinity', stopBehaviour: 'ignore' })],
  });
  await supervisor.start();
  const stopped = supervisor.stop();
  await waitFor(() => fleet.journal.entries.includes('stop:b'), 'b asked to stop');
  supervisor.kill();
  await stopped;
  t.same(await supervisor.exited, { type: 'killed' });
  t.same(fleet.journal.since(2), ['stop:b', 'kill:b', 'exit:b:killed', 'kill:a', 'exit:a:killed']);
});

t.test('supervisor - stop() before start() exits at once', async (t) => {
  const supervisor = new Supervisor({ strategy: 'one_for_one', children: [] });
  await supervisor.stop();
  t.same(await supervisor.exited, { type: 'shutdown' });
  await t.rejects(supervisor.start(), { code: 'ARQ_ERR_SUPERVISOR_STATE' });
});

t.test('supervisor - terminateChild, restartChild and deleteChild', async (t) => {
  const fleet = new TestFleet();
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    children: [fleet.spec('a'), fleet.spec('b'), fleet.spec('tmp', { restart: 'temporary' })],
  });
  await supervisor.start();

  await supervisor.terminateChild('b');
  t.same(fleet.journal.since(3), ['stop:b', 'exit:b:shutdown']);
  t.equal(supervisor.which()[1]!.running, false, 'b keeps its place, stopped');
  t.equal(fleet.starts('b'), 1, 'a terminated child is not restarted');

  await supervisor.restartChild('b');
  t.equal(fleet.starts('b'), 2);
  t.equal(supervisor.which()[1]!.running, true);
  await t.rejects(supervisor.restartChild('b'), { code: 'ARQ_ERR_CHILD_RUNNING' });
  await t.rejects(supervisor.deleteChild('b'), { code: 'ARQ_ERR_CHILD_RUNNING' });

  await supervisor.terminateChild('b');
  await supervisor.deleteChild('b');
  t.same(
    supervisor.which().map((info) => info.id),
    ['a', 'tmp'],
  );

  await supervisor.terminateChild('tmp');
  t.same(
    supervisor.which().map((info) => info.id),
    ['a'],
    'a terminated temporary child is removed',
  );

  await t.rejects(supervisor.terminateChild('nope'), { code: 'ARQ_ERR_CHILD_NOT_FOUND' });
  await t.rejects(supervisor.restartChild('nope'), { code: 'ARQ_ERR_CHILD_NOT_FOUND' });
  await t.rejects(supervisor.deleteChild('nope'), { code: 'ARQ_ERR_CHILD_NOT_FOUND' });
  await supervisor.stop();
  await t.rejects(supervisor.restartChild('a'), { code: 'ARQ_ERR_SUPERVISOR_STATE' });
});

t.test('supervisor - startChild adds a child at the end of the order', async (t) => {
  const fleet = new TestFleet();
  const supervisor = new Supervisor({ strategy: 'one_for_one', children: [fleet.spec('a')] });
  await supervisor.start();
  await supervisor.startChild(fleet.spec('b', { restart: 'transient' }));
  t.same(supervisor.which()[1], { id: 'b', type: 'worker', restart: 'transient', running: true });
  await t.rejects(supervisor.startChild(fleet.spec('a')), { code: 'ARQ_ERR_DUPLICATE_CHILD' });
  fleet.failStarts('c', 1);
  await t.rejects(supervisor.startChild(fleet.spec('c')), { code: 'ARQ_ERR_START_FAILED' });
  t.same(
    supervisor.which().map((info) => info.id),
    ['a', 'b'],
    'a child that failed to start is not added',
  );
  await t.rejects(supervisor.startChild({ id: '', start: fleet.spec('x').start }), {
    code: 'ARQ_ERR_SUPERVISOR_OPTIONS',
  });
  await supervisor.stop();
  t.same(fleet.journal.entries.slice(-4), [
    'stop:b',
    'exit:b:shutdown',
    'stop:a',
    'exit:a:shutdown',
  ]);
});

t.test('supervisor - validates its options at construction, naming the option', async (t) => {
  const fleet = new TestFleet();
  const make = (options: unknown) => () =>
    new Supervisor(options as ConstructorParameters<typeof Supervisor>[0]);
  t.throws(make({ strategy: 'one_for_some', children: [] }), {
    code: 'ARQ_ERR_SUPERVISOR_OPTIONS',
    message:
      /options\.strategy must be one of one_for_one, one_for_all, rest_for_one, got 'one_for_some'/,
  });
  t.throws(make({ strategy: 'one_for_one' }), /options\.children must be an array/);
  t.throws(make({ strategy: 'one_for_one', children: [fleet.spec('a'), fleet.spec('a')] }), {
    code: 'ARQ_ERR_SUPERVISOR_OPTIONS',
    message: /options\.children\[1\]\.id must be unique, 'a' is used twice/,
  });
  t.throws(
    make({ strategy: 'one_for_one', children: [{ ...fleet.spec('a'), restart: 'sometimes' }] }),
    /options\.children\[0\]\.restart must be one of permanent, transient, temporary, got 'sometimes'/,
  );
  t.throws(
    make({ strategy: 'one_for_one', children: [{ ...fleet.spec('a'), type: 'thread' }] }),
    /options\.children\[0\]\.type must be one of worker, supervisor/,
  );
  t.throws(
    make({ strategy: 'one_for_one', children: [{ ...fleet.spec('a'), shutdown: -1 }] }),
    /options\.children\[0\]\.shutdown must be a non-negative number of ms/,
  );
  t.throws(
    make({ strategy: 'one_for_one', children: [{ id: 'a' }] }),
    /options\.children\[0\]\.start must be a function/,
  );
  t.throws(
    make({ strategy: 'one_for_one', children: [], maxRestarts: -1 }),
    /options\.maxRestarts must be a non-negative integer, got -1/,
  );
  t.throws(make({ strategy: 'one_for_one', children: [], periodMs: 0 }), /options\.periodMs/);
  t.throws(
    make({ strategy: 'one_for_one', children: [], name: '' }),
    /options\.name must be a non-empty string/,
  );
  t.throws(
    make({ strategy: 'one_for_one', children: [], onEvent: 'log' }),
    /options\.onEvent must be a function/,
  );
  t.equal(new Supervisor({ strategy: 'one_for_one', children: [] }).name, DEFAULT_SUPERVISOR_NAME);
});

t.test('supervisor - reports events to onEvent and to the diagnostics channel', async (t) => {
  const fleet = new TestFleet();
  const seen: SupervisionEvent[] = [];
  const published: unknown[] = [];
  const onMessage = (message: unknown) => {
    if ((message as SupervisionEvent).supervisor === 'events') published.push(message);
  };
  subscribe(SUPERVISION_CHANNEL, onMessage);
  t.teardown(() => unsubscribe(SUPERVISION_CHANNEL, onMessage));
  fleet.failStarts('b', 0);
  const supervisor = new Supervisor({
    name: 'events',
    strategy: 'one_for_one',
    children: [fleet.spec('a'), fleet.spec('b')],
    onEvent: (event) => seen.push(event),
  });
  await supervisor.start();
  fleet.failStarts('b', 1);
  const crash = new Error('b crashed');
  fleet.current('b').crash(crash);
  await waitFor(() => fleet.starts('b') === 2, 'b restarted');
  await supervisor.stop();
  t.match(seen, [
    { type: 'child_started', supervisor: 'events', id: 'a' },
    { type: 'child_started', supervisor: 'events', id: 'b' },
    {
      type: 'child_exited',
      supervisor: 'events',
      id: 'b',
      reason: { type: 'error', error: crash },
    },
    {
      type: 'start_failed',
      supervisor: 'events',
      id: 'b',
      error: { message: 'b refused to start' },
    },
    { type: 'child_restarted', supervisor: 'events', id: 'b' },
    { type: 'child_exited', supervisor: 'events', id: 'b', reason: { type: 'shutdown' } },
    { type: 'child_exited', supervisor: 'events', id: 'a', reason: { type: 'shutdown' } },
    { type: 'supervisor_stopped', supervisor: 'events', reason: { type: 'shutdown' } },
  ]);
  t.equal(seen.length, 8);
  t.same(published, seen, 'the channel saw the same events');
});

t.test('supervisor - childSpec validates options when the tree is declared', async (t) => {
  t.throws(
    () => Supervisor.childSpec('inner', { strategy: 'nope' as 'one_for_one', children: [] }),
    {
      code: 'ARQ_ERR_SUPERVISOR_OPTIONS',
    },
  );
  const spec = Supervisor.childSpec(
    'inner',
    { strategy: 'one_for_one', children: [] },
    { restart: 'transient', shutdown: 2_000 },
  );
  t.match(spec, { id: 'inner', type: 'supervisor', restart: 'transient', shutdown: 2_000 });
  const started = await spec.start();
  t.type(started, Supervisor);
  await (started as Supervisor).stop();
});

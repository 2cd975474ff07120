import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import {
  type ExitReason,
  type SupervisionEvent,
  Supervisor,
  SupervisorError,
} from '../../supervision/index.js';
import { TestFleet } from './fixtures/test-child.js';
import { waitFor } from './fixtures/wait-for.js';

// The shared machinery (supervision/supervisor-core.ts) seen through Supervisor: restart intensity,
// escalation, start failures during restarts, and exits that race with restarts and stops.

function codeOf(reason: ExitReason): unknown {
  return reason.type === 'error' && reason.error instanceof SupervisorError
    ? reason.error.code
    : undefined;
}

function threeChildren(
  fleet: TestFleet,
  maxRestarts: number,
  periodMs: number,
  events?: SupervisionEvent[],
) {
  return new Supervisor({
    strategy: 'one_for_one',
    maxRestarts,
    periodMs,
    children: ['a', 'b', 'c'].map((id) => fleet.spec(id)),
    ...(events !== undefined && { onEvent: (event: SupervisionEvent) => events.push(event) }),
  });
}

t.test('supervisor core - maxRestarts restarts within the period are fine', async (t) => {
  const fleet = new TestFleet();
  const supervisor = threeChildren(fleet, 3, 60_000);
  await supervisor.start();
  for (let i = 1; i <= 3; i += 1) {
    fleet.current('b').crash();
    await waitFor(() => fleet.starts('b') === i + 1, `restart ${i}`);
  }
  t.ok(
    supervisor.which().every((info) => info.running),
    'all running after 3 restarts',
  );
  await supervisor.stop();
  t.same(await supervisor.exited, { type: 'shutdown' });
});

t.test(
  'supervisor core - one restart too many stops all children in reverse and fails',
  async (t) => {
    const fleet = new TestFleet();
    const events: SupervisionEvent[] = [];
    const supervisor = threeChildren(fleet, 3, 60_000, events);
    await supervisor.start();
    for (let i = 1; i <= 3; i += 1) {
      fleet.current('b').crash();
      await waitFor(() => fleet.starts('b') === i + 1, `restart ${i}`);
    }
    const mark = fleet.journal.entries.length;
    fleet.current('b').crash();
    const reason = await supervisor.exited;
    t.equal(codeOf(reason), 'ARQ_ERR_RESTART_INTENSITY');
    t.match((reason as { error: Error }).error.message, /more than 3 restarts in 60000 ms/);
    t.same(fleet.journal.since(mark), [
      'exit:b:error',
      'stop:c',
      'exit:c:shutdown',
      'stop:a',
      'exit:a:shutdown',
    ]);
    t.equal(fleet.starts('b'), 4, 'not restarted a fourth time');
    t.match(events.slice(-4), [
      { type: 'intensity_exceeded', maxRestarts: 3, periodMs: 60_000 },
      { type: 'child_exited', id: 'c' },
      { type: 'child_exited', id: 'a' },
      { type: 'supervisor_stopped', reason: { type: 'error' } },
    ]);
    await t.rejects(supervisor.startChild(fleet.spec('late')), {
      code: 'ARQ_ERR_SUPERVISOR_STATE',
    });
  },
);

t.test('supervisor core - restarts of different children share one window', async (t) => {
  const fleet = new TestFleet();
  const supervisor = threeChildren(fleet, 2, 60_000);
  await supervisor.start();
  fleet.current('a').crash();
  await waitFor(() => fleet.starts('a') === 2, 'a restarted');
  fleet.current('c').crash();
  await waitFor(() => fleet.starts('c') === 2, 'c restarted');
  fleet.current('b').crash();
  t.equal(codeOf(await supervisor.exited), 'ARQ_ERR_RESTART_INTENSITY');
});

t.test('supervisor core - restarts spaced out beyond the period never escalate', async (t) => {
  const fleet = new TestFleet();
  const supervisor = threeChildren(fleet, 1, 150);
  await supervisor.start();
  for (let i = 1; i <= 4; i += 1) {
    // Each crash comes well after the previous restart was counted, so the window holds one.
    if (i > 1) await sleep(400);
    fleet.current('b').crash();
    await waitFor(() => fleet.starts('b') === i + 1, `restart ${i}`);
  }
  t.ok(supervisor.which().every((info) => info.running));
  await supervisor.stop();
  t.same(await supervisor.exited, { type: 'shutdown' }, 'never escalated');
});

t.test(
  'supervisor core - a failed start during a restart is retried as another restart',
  async (t) => {
    const fleet = new TestFleet();
    const events: SupervisionEvent[] = [];
    const supervisor = threeChildren(fleet, 3, 60_000, events);
    await supervisor.start();
    fleet.failStarts('b', 2);
    fleet.current('b').crash();
    await waitFor(() => fleet.starts('b') === 2, 'b restarted on the third attempt');
    t.same(fleet.journal.since(3), ['exit:b:error', 'start-failed:b', 'start-failed:b', 'start:b']);
    t.equal(events.filter((e) => e.type === 'start_failed').length, 2);
    // Three restarts were used up: one more crash is one too many.
    fleet.current('b').crash();
    t.equal(codeOf(await supervisor.exited), 'ARQ_ERR_RESTART_INTENSITY');
  },
);

t.test('supervisor core - a child that never starts again trips the intensity', async (t) => {
  const fleet = new TestFleet();
  const supervisor = threeChildren(fleet, 2, 60_000);
  await supervisor.start();
  fleet.failStarts('b', Number.POSITIVE_INFINITY);
  fleet.current('b').crash();
  t.equal(codeOf(await supervisor.exited), 'ARQ_ERR_RESTART_INTENSITY');
  t.same(fleet.journal.since(3), [
    'exit:b:error',
    'start-failed:b',
    'start-failed:b',
    'stop:c',
    'exit:c:shutdown',
    'stop:a',
    'exit:a:shutdown',
  ]);
});

t.test('supervisor core - one_for_all retries the whole group after a start failure', async (t) => {
  const fleet = new TestFleet();
  const supervisor = new Supervisor({
    strategy: 'one_for_all',
    maxRestarts: 5,
    periodMs: 60_000,
    children: ['a', 'b', 'c'].map((id) => fleet.spec(id)),
  });
  await supervisor.start();
  fleet.failStarts('b', 1);
  fleet.current('c').crash();
  await waitFor(() => fleet.starts('c') === 2, 'c restarted');
  t.same(fleet.journal.since(3), [
    'exit:c:error',
    'stop:b',
    'exit:b:shutdown',
    'stop:a',
    'exit:a:shutdown',
    'start:a',
    'start-failed:b', // attempt 1 fails at b: a, started in it, goes down again
    'stop:a',
    'exit:a:shutdown',
    'start:a',
    'start:b',
    'start:c',
  ]);
  await supervisor.stop();
});

t.test('supervisor core - simultaneous crashes under one_for_all are one restart', async (t) => {
  const fleet = new TestFleet();
  const supervisor = new Supervisor({
    strategy: 'one_for_all',
    maxRestarts: 1,
    periodMs: 60_000,
    children: ['a', 'b', 'c'].map((id) => fleet.spec(id)),
  });
  await supervisor.start();
  fleet.current('a').crash();
  fleet.current('b').crash();
  await waitFor(() => fleet.starts('c') === 2, 'group restarted');
  await supervisor.startChild(fleet.spec('probe')); // runs after both exits were handled
  t.same(
    [fleet.starts('a'), fleet.starts('b'), fleet.starts('c')],
    [2, 2, 2],
    'b, restarted with the group, is not restarted again for its own stale exit',
  );
  t.ok(supervisor.which().every((info) => info.running));
  await supervisor.stop();
  t.same(await supervisor.exited, { type: 'shutdown' }, 'within maxRestarts 1');
});

t.test(
  'supervisor core - a child crashing while start() is still running is restarted after it',
  async (t) => {
    const fleet = new TestFleet();
    let releaseB: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      releaseB = resolve;
    });
    const b = fleet.spec('b');
    const supervisor = new Supervisor({
      strategy: 'one_for_one',
      children: [fleet.spec('a'), { ...b, start: () => gate.then(b.start) }],
    });
    const started = supervisor.start();
    await waitFor(() => fleet.starts('a') === 1, 'a started');
    fleet.current('a').crash();
    await fleet.current('a').exited;
    releaseB();
    await started;
    await waitFor(() => fleet.starts('a') === 2, 'a restarted once start() was done');
    t.same(fleet.journal.entries, ['start:a', 'exit:a:error', 'start:b', 'start:a']);
    await supervisor.stop();
  },
);

t.test(
  'supervisor core - stop() during start() stops what was started and rejects start()',
  async (t) => {
    const fleet = new TestFleet();
    let releaseB: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      releaseB = resolve;
    });
    const b = fleet.spec('b');
    const supervisor = new Supervisor({
      strategy: 'one_for_one',
      children: [fleet.spec('a'), { ...b, start: () => gate.then(b.start) }, fleet.spec('c')],
    });
    const started = supervisor.start();
    await waitFor(() => fleet.starts('a') === 1, 'a started');
    const stopped = supervisor.stop();
    releaseB();
    await t.rejects(started, { code: 'ARQ_ERR_SUPERVISOR_STATE' });
    await stopped;
    t.same(fleet.journal.entries, [
      'start:a',
      'start:b',
      'stop:b',
      'exit:b:shutdown',
      'stop:a',
      'exit:a:shutdown',
    ]);
    t.equal(fleet.starts('c'), 0, 'c was never started');
    t.same(await supervisor.exited, { type: 'shutdown' });
  },
);

t.test(
  'supervisor core - kill() while a child is starting kills it as soon as it is up',
  async (t) => {
    const fleet = new TestFleet();
    let releaseB: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      releaseB = resolve;
    });
    const b = fleet.spec('b');
    const supervisor = new Supervisor({
      strategy: 'one_for_one',
      children: [fleet.spec('a'), { ...b, start: () => gate.then(b.start) }],
    });
    const started = supervisor.start();
    await waitFor(() => fleet.starts('a') === 1, 'a started');
    supervisor.kill();
    releaseB();
    await t.rejects(started, { code: 'ARQ_ERR_SUPERVISOR_STATE' });
    t.same(await supervisor.exited, { type: 'killed' });
    t.same(fleet.journal.entries, [
      'start:a',
      'kill:a',
      'exit:a:killed',
      'start:b',
      'kill:b',
      'exit:b:killed',
    ]);
  },
);

t.test('supervisor core - an exit while the supervisor is stopping is not restarted', async (t) => {
  const fleet = new TestFleet();
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    children: [
      fleet.spec('a'),
      fleet.spec('b', { shutdown: 'infinity', stopBehaviour: { delayMs: 50 } }),
    ],
  });
  await supervisor.start();
  const stopped = supervisor.stop();
  await waitFor(() => fleet.journal.entries.includes('stop:b'), 'b asked to stop');
  fleet.current('a').crash(); // a crashes while b is still stopping
  await stopped;
  t.equal(fleet.starts('a'), 1);
  t.same(fleet.journal.since(2), ['stop:b', 'exit:a:error', 'exit:b:shutdown']);
});

import t from 'tap';
import {
  DEFAULT_SUPERVISOR_SHUTDOWN,
  DynamicSupervisor,
  type ExitReason,
  type SupervisionEvent,
  Supervisor,
  SupervisorError,
} from '../../supervision/index.js';
import { TestFleet } from './fixtures/test-child.js';
import { waitFor } from './fixtures/wait-for.js';

function codeOf(reason: ExitReason): unknown {
  return reason.type === 'error' && reason.error instanceof SupervisorError
    ? reason.error.code
    : undefined;
}

t.test(
  'supervisor child spec - a nested supervisor is permanent and waits for its children by default',
  async (t) => {
    t.equal(DEFAULT_SUPERVISOR_SHUTDOWN, 'infinity');
    t.match(Supervisor.childSpec('sup', { strategy: 'one_for_all', children: [] }), {
      id: 'sup',
      type: 'supervisor',
      restart: 'permanent',
      shutdown: 'infinity',
    });
    t.match(
      DynamicSupervisor.childSpec('dyn', {}, { restart: 'transient', shutdown: 'brutal_kill' }),
      {
        id: 'dyn',
        type: 'supervisor',
        restart: 'transient',
        shutdown: 'brutal_kill',
      },
    );
    t.throws(() => Supervisor.childSpec('', { strategy: 'one_for_one', children: [] }), {
      code: 'ARQ_ERR_SUPERVISOR_OPTIONS',
      message: /childSpec\.id must be a non-empty string/,
    });
    t.throws(() => DynamicSupervisor.childSpec('dyn', {}, { shutdown: -5 }), /childSpec\.shutdown/);
  },
);

t.test('supervisor child spec - every start creates and starts a fresh supervisor', async (t) => {
  const spec = DynamicSupervisor.childSpec('dyn', { name: 'dyn' });
  const first = (await spec.start()) as DynamicSupervisor;
  const second = (await spec.start()) as DynamicSupervisor;
  t.not(first, second);
  await first.startChild(Supervisor.childSpec('inner', { strategy: 'one_for_one', children: [] }));
  t.equal(first.count(), 1, 'a started supervisor takes children');
  t.equal(second.count(), 0);
  await Promise.all([first.stop(), second.stop()]);
  t.same(await first.exited, { type: 'shutdown' });
});

t.test(
  'supervisor child spec - a nested supervisor that gives up is restarted by its parent',
  async (t) => {
    const fleet = new TestFleet();
    const parentEvents: SupervisionEvent[] = [];
    const parent = new Supervisor({
      name: 'parent',
      strategy: 'rest_for_one',
      maxRestarts: 5,
      periodMs: 60_000,
      onEvent: (event) => parentEvents.push(event),
      children: [
        fleet.spec('before'),
        Supervisor.childSpec('inner', {
          name: 'inner',
          strategy: 'one_for_one',
          maxRestarts: 1,
          periodMs: 60_000,
          children: [fleet.spec('x'), fleet.spec('y')],
        }),
        fleet.spec('after'),
      ],
    });
    await parent.start();
    t.same(parent.which()[1], {
      id: 'inner',
      type: 'supervisor',
      restart: 'permanent',
      running: true,
    });
    t.same(fleet.journal.entries, ['start:before', 'start:x', 'start:y', 'start:after']);

    fleet.current('x').crash();
    await waitFor(() => fleet.starts('x') === 2, 'x restarted by inner');
    const mark = fleet.journal.entries.length;
    fleet.current('x').crash(); // the second restart within the window: inner gives up
    await waitFor(
      () => fleet.starts('after') === 2,
      'the parent restarted inner and what follows it',
    );
    t.same(fleet.journal.since(mark), [
      'exit:x:error',
      'stop:y', // inner stops its remaining children...
      'exit:y:shutdown',
      'stop:after', // ...and, rest_for_one, the parent stops what was started after inner
      'exit:after:shutdown',
      'start:x', // then starts a fresh inner and the rest, in order
      'start:y',
      'start:after',
    ]);
    t.equal(fleet.starts('before'), 1, 'the child before inner was left alone');
    t.match(
      parentEvents.find((e) => e.type === 'child_exited' && e.id === 'inner'),
      { reason: { type: 'shutdown' } },
      'the parent sees the shutdown an OTP supervisor exits with when it gives up',
    );
    t.ok(parentEvents.some((e) => e.type === 'child_restarted' && e.id === 'inner'));

    // The fresh inner has a fresh intensity window.
    fleet.current('x').crash();
    await waitFor(() => fleet.starts('x') === 4, 'x restarted by the new inner');
    t.equal(fleet.starts('after'), 2);
    await parent.stop();
    t.same(await parent.exited, { type: 'shutdown' });
    t.same(fleet.journal.entries.slice(-8), [
      'stop:after',
      'exit:after:shutdown',
      'stop:y',
      'exit:y:shutdown',
      'stop:x',
      'exit:x:shutdown',
      'stop:before',
      'exit:before:shutdown',
    ]);
  },
);

t.test(
  'supervisor child spec - escalation goes all the way up when the parent runs out too',
  async (t) => {
    const fleet = new TestFleet();
    const parent = new Supervisor({
      name: 'parent',
      strategy: 'one_for_one',
      maxRestarts: 0,
      children: [
        fleet.spec('sibling'),
        Supervisor.childSpec('inner', {
          strategy: 'one_for_one',
          maxRestarts: 0,
          children: [fleet.spec('x'), fleet.spec('y')],
        }),
      ],
    });
    await parent.start();
    fleet.current('x').crash();
    const reason = await parent.exited;
    t.equal(codeOf(reason), 'ARQ_ERR_RESTART_INTENSITY');
    t.same(fleet.journal.since(3), [
      'exit:x:error',
      'stop:y',
      'exit:y:shutdown',
      'stop:sibling',
      'exit:sibling:shutdown',
    ]);
  },
);

t.test(
  'supervisor child spec - a transient nested supervisor that gives up stays down and says why',
  async (t) => {
    const fleet = new TestFleet();
    const innerEvents: SupervisionEvent[] = [];
    const parentEvents: SupervisionEvent[] = [];
    let inner: Supervisor | undefined;
    const parent = new Supervisor({
      name: 'parent',
      strategy: 'one_for_all',
      maxRestarts: 0, // a restart it counted would bring the parent down too
      onEvent: (event) => parentEvents.push(event),
      children: [
        fleet.spec('sibling'),
        {
          id: 'inner',
          type: 'supervisor',
          restart: 'transient',
          shutdown: 'infinity',
          start: async () => {
            inner = new Supervisor({
              name: 'inner',
              strategy: 'one_for_one',
              maxRestarts: 0,
              onEvent: (event) => innerEvents.push(event),
              children: [fleet.spec('x')],
            });
            await inner.start();
            return inner;
          },
        },
      ],
    });
    await parent.start();
    fleet.current('x').crash();
    const reason = await inner!.exited;
    t.equal(codeOf(reason), 'ARQ_ERR_RESTART_INTENSITY', 'its own exit says why');
    t.match(innerEvents.slice(-2), [
      { type: 'intensity_exceeded', supervisor: 'inner', maxRestarts: 0 },
      { type: 'supervisor_stopped', reason: { type: 'error' } },
    ]);
    await parent.terminateChild('inner'); // queued after the parent handled inner's exit
    t.same(parent.which()[1], {
      id: 'inner',
      type: 'supervisor',
      restart: 'transient',
      running: false,
    });
    t.match(parentEvents.at(-1), {
      type: 'child_exited',
      id: 'inner',
      reason: { type: 'shutdown' },
    });
    t.ok(fleet.current('sibling').done === false, 'the sibling was neither restarted nor stopped');
    t.equal(fleet.starts('sibling'), 1);
    await parent.stop();
    t.same(await parent.exited, { type: 'shutdown' });
  },
);

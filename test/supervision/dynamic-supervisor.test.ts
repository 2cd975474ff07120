import t from 'tap';
import {
  DEFAULT_MAX_CHILDREN,
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

t.test('dynamic supervisor - adds and removes children at run time', async (t) => {
  const fleet = new TestFleet();
  const rooms = new DynamicSupervisor({ name: 'rooms' });
  await rooms.start();
  t.equal(rooms.count(), 0);
  await rooms.startChild(fleet.spec('r1'));
  await rooms.startChild(fleet.spec('r2', { restart: 'transient' }));
  t.equal(rooms.count(), 2);
  t.ok(rooms.has('r1'));
  t.same(rooms.which(), [
    { id: 'r1', type: 'worker', restart: 'permanent', running: true },
    { id: 'r2', type: 'worker', restart: 'transient', running: true },
  ]);
  t.equal(await rooms.terminateChild('r1'), true);
  t.same(fleet.journal.since(2), ['stop:r1', 'exit:r1:shutdown']);
  t.notOk(rooms.has('r1'), 'a terminated child is forgotten');
  t.equal(await rooms.terminateChild('r1'), false);
  await rooms.startChild(fleet.spec('r1')); // its id can be used again
  t.equal(fleet.starts('r1'), 2);
  await rooms.stop();
  t.same(
    fleet.journal.entries.slice(-4),
    ['stop:r1', 'exit:r1:shutdown', 'stop:r2', 'exit:r2:shutdown'],
    'stopped in reverse order of start',
  );
});

t.test('dynamic supervisor - refuses children past maxChildren and duplicate ids', async (t) => {
  const fleet = new TestFleet();
  const rooms = new DynamicSupervisor({ maxChildren: 2 });
  await rooms.start();
  await rooms.startChild(fleet.spec('r1'));
  await t.rejects(rooms.startChild(fleet.spec('r1')), { code: 'ARQ_ERR_DUPLICATE_CHILD' });
  await rooms.startChild(fleet.spec('r2'));
  await t.rejects(rooms.startChild(fleet.spec('r3')), {
    code: 'ARQ_ERR_MAX_CHILDREN',
    message: /maximum of 2 children/,
  });
  t.equal(fleet.starts('r3'), 0, 'not even started');
  await rooms.terminateChild('r1');
  await rooms.startChild(fleet.spec('r3'));
  t.equal(rooms.count(), 2);
  await rooms.stop();
});

t.test('dynamic supervisor - a failed start rejects and takes no place', async (t) => {
  const fleet = new TestFleet();
  const rooms = new DynamicSupervisor({ maxChildren: 1 });
  await rooms.start();
  fleet.failStarts('r1', 1);
  const error = await rooms.startChild(fleet.spec('r1')).catch((e: unknown) => e);
  t.equal((error as SupervisorError).code, 'ARQ_ERR_START_FAILED');
  t.match((error as SupervisorError).cause, { message: 'r1 refused to start' });
  t.equal(rooms.count(), 0);
  await rooms.startChild(fleet.spec('r1'));
  t.equal(rooms.count(), 1);
  await rooms.stop();
});

t.test(
  'dynamic supervisor - restarts by restart type, forgetting children that ended for good',
  async (t) => {
    const fleet = new TestFleet();
    const rooms = new DynamicSupervisor();
    await rooms.start();
    await rooms.startChild(fleet.spec('perm'));
    await rooms.startChild(fleet.spec('trans', { restart: 'transient' }));
    await rooms.startChild(fleet.spec('trans2', { restart: 'transient' }));
    await rooms.startChild(fleet.spec('temp', { restart: 'temporary' }));

    fleet.current('perm').crash();
    fleet.current('trans').crash();
    fleet.current('trans2').finish();
    fleet.current('temp').crash();
    await waitFor(() => fleet.starts('trans') === 2, 'trans restarted');
    await rooms.startChild(fleet.spec('probe')); // handled after every exit above
    t.equal(fleet.starts('perm'), 2, 'permanent restarted');
    t.equal(fleet.starts('trans'), 2, 'transient restarted after a crash');
    t.equal(fleet.starts('trans2'), 1, 'transient not restarted after a normal exit');
    t.equal(fleet.starts('temp'), 1, 'temporary never restarted');
    t.same(
      rooms.which().map((info) => info.id),
      ['perm', 'trans', 'probe'],
      'children that ended for good are forgotten; restarted ones keep their place',
    );
    await rooms.stop();
  },
);

t.test(
  'dynamic supervisor - restart intensity: the limit passes, one more stops everything',
  async (t) => {
    const fleet = new TestFleet();
    const events: SupervisionEvent[] = [];
    const rooms = new DynamicSupervisor({
      name: 'rooms',
      maxRestarts: 2,
      periodMs: 60_000,
      onEvent: (event) => events.push(event),
    });
    await rooms.start();
    for (const id of ['r1', 'r2', 'r3']) await rooms.startChild(fleet.spec(id));
    fleet.current('r1').crash();
    await waitFor(() => fleet.starts('r1') === 2, 'r1 restarted');
    fleet.current('r3').crash();
    await waitFor(() => fleet.starts('r3') === 2, 'r3 restarted');
    const mark = fleet.journal.entries.length;
    fleet.current('r2').crash();
    const reason = await rooms.exited;
    t.equal(codeOf(reason), 'ARQ_ERR_RESTART_INTENSITY');
    t.same(fleet.journal.since(mark), [
      'exit:r2:error',
      'stop:r3',
      'exit:r3:shutdown',
      'stop:r1',
      'exit:r1:shutdown',
    ]);
    t.ok(events.some((e) => e.type === 'intensity_exceeded' && e.supervisor === 'rooms'));
    await t.rejects(rooms.startChild(fleet.spec('r4')), { code: 'ARQ_ERR_SUPERVISOR_STATE' });
  },
);

t.test(
  'dynamic supervisor - a child that cannot start again is retried until the intensity runs out',
  async (t) => {
    const fleet = new TestFleet();
    const rooms = new DynamicSupervisor({ maxRestarts: 3, periodMs: 60_000 });
    await rooms.start();
    await rooms.startChild(fleet.spec('r1'));
    fleet.failStarts('r1', Number.POSITIVE_INFINITY);
    fleet.current('r1').crash();
    t.equal(codeOf(await rooms.exited), 'ARQ_ERR_RESTART_INTENSITY');
    t.equal(fleet.journal.count('start-failed:r1'), 3);
  },
);

t.test('dynamic supervisor - shutdown timeout then kill, and kill()', async (t) => {
  const fleet = new TestFleet();
  const rooms = new DynamicSupervisor();
  await rooms.start();
  await rooms.startChild(fleet.spec('stubborn', { shutdown: 30, stopBehaviour: 'ignore' }));
  await rooms.startChild(fleet.spec('brutal', { shutdown: 'brutal_kill' }));
  t.equal(await rooms.terminateChild('stubborn'), true);
  t.same(fleet.journal.since(2), ['stop:stubborn', 'kill:stubborn', 'exit:stubborn:killed']);
  rooms.kill();
  t.same(await rooms.exited, { type: 'killed' });
  t.same(fleet.journal.entries.slice(-2), ['kill:brutal', 'exit:brutal:killed']);
});

t.test(
  'dynamic supervisor - nested under a supervisor, it is restarted empty when it gives up',
  async (t) => {
    const fleet = new TestFleet();
    let rooms: DynamicSupervisor | undefined;
    const roomsSpec = DynamicSupervisor.childSpec('rooms', { maxRestarts: 0 });
    const root = new Supervisor({
      strategy: 'one_for_one',
      children: [
        fleet.spec('edge'),
        {
          ...roomsSpec,
          start: async () => {
            rooms = (await roomsSpec.start()) as DynamicSupervisor;
            return rooms;
          },
        },
      ],
    });
    await root.start();
    t.same(root.which()[1], {
      id: 'rooms',
      type: 'supervisor',
      restart: 'permanent',
      running: true,
    });
    const first = rooms!;
    await first.startChild(fleet.spec('r1'));
    await first.startChild(fleet.spec('r2'));
    fleet.current('r1').crash();
    t.equal(codeOf(await first.exited), 'ARQ_ERR_RESTART_INTENSITY');
    await waitFor(() => rooms !== first, 'rooms restarted by the root');
    t.equal(rooms!.count(), 0, 'the new dynamic supervisor starts empty');
    t.equal(fleet.current('r2').done, true, 'r2 was stopped with the old one');
    t.equal(fleet.starts('edge'), 1);
    await root.stop();
  },
);

t.test('dynamic supervisor - validates its options', async (t) => {
  t.equal(DEFAULT_MAX_CHILDREN, Number.POSITIVE_INFINITY);
  t.equal(new DynamicSupervisor().maxChildren, Number.POSITIVE_INFINITY);
  t.throws(() => new DynamicSupervisor({ maxChildren: -1 }), {
    code: 'ARQ_ERR_SUPERVISOR_OPTIONS',
    message: /options\.maxChildren must be a non-negative integer or Infinity, got -1/,
  });
  t.throws(() => new DynamicSupervisor({ maxRestarts: 2.5 }), /options\.maxRestarts/);
  t.throws(
    () => DynamicSupervisor.childSpec('rooms', { maxChildren: 1.5 }),
    /options\.maxChildren/,
  );
  const rooms = new DynamicSupervisor();
  await t.rejects(rooms.startChild(new TestFleet().spec('r1')), {
    code: 'ARQ_ERR_SUPERVISOR_STATE',
  });
  await rooms.start();
  await t.rejects(rooms.startChild({ id: 'r1', start: 'nope' } as never), {
    code: 'ARQ_ERR_SUPERVISOR_OPTIONS',
    message: /spec\.start must be a function/,
  });
  await rooms.stop();
});

import t from 'tap';
import {
  type ExitReason,
  isNormalExit,
  type RestartType,
  Supervisor,
  shouldRestart,
} from '../../supervision/index.js';
import { type TestChild, TestFleet } from './fixtures/test-child.js';

const REASONS: readonly ExitReason['type'][] = ['normal', 'shutdown', 'killed', 'error'];

/** The OTP table: permanent always, transient only after an abnormal exit, temporary never. */
const EXPECTED: Record<RestartType, Record<ExitReason['type'], boolean>> = {
  permanent: { normal: true, shutdown: true, killed: true, error: true },
  transient: { normal: false, shutdown: false, killed: true, error: true },
  temporary: { normal: false, shutdown: false, killed: false, error: false },
};

function reasonOf(type: ExitReason['type']): ExitReason {
  return type === 'error' ? { type, error: new Error('x') } : { type };
}

function endAs(child: TestChild, type: ExitReason['type']): void {
  if (type === 'normal') child.finish();
  else if (type === 'shutdown')
    child.stop(); // stopped by someone other than its supervisor
  else if (type === 'killed') child.kill();
  else child.crash();
}

t.test('child - normal and shutdown are normal exits, killed and error are not', async (t) => {
  t.ok(isNormalExit({ type: 'normal' }));
  t.ok(isNormalExit({ type: 'shutdown' }));
  t.notOk(isNormalExit({ type: 'killed' }));
  t.notOk(isNormalExit({ type: 'error', error: new Error('x') }));
});

t.test('child - shouldRestart follows the OTP table', async (t) => {
  for (const restart of Object.keys(EXPECTED) as RestartType[])
    for (const reason of REASONS)
      t.equal(
        shouldRestart(restart, reasonOf(reason)),
        EXPECTED[restart][reason],
        `${restart} × ${reason}`,
      );
});

for (const restart of Object.keys(EXPECTED) as RestartType[]) {
  for (const reason of REASONS) {
    const restarted = EXPECTED[restart][reason];
    t.test(
      `child - a ${restart} child ending with ${reason} is ${restarted ? '' : 'not '}restarted by its supervisor`,
      async (t) => {
        const fleet = new TestFleet();
        const supervisor = new Supervisor({
          strategy: 'one_for_one',
          children: [fleet.spec('x', { restart }), fleet.spec('y')],
        });
        await supervisor.start();
        const first = fleet.current('x');
        endAs(first, reason);
        t.equal((await first.exited).type, reason);
        // Child operations are handled one at a time after exits, so once this one is done the
        // supervisor has already dealt with x's exit.
        await supervisor.startChild(fleet.spec('probe'));
        t.equal(
          fleet.starts('x'),
          restarted ? 2 : 1,
          restarted ? 'started again' : 'not started again',
        );
        const info = supervisor.which().find((i) => i.id === 'x');
        if (restart === 'temporary') t.equal(info, undefined, 'a temporary child is removed');
        else t.same(info, { id: 'x', type: 'worker', restart, running: restarted });
        t.equal(fleet.starts('y'), 1, 'the sibling was left alone');
        await supervisor.stop();
      },
    );
  }
}

import t from 'tap';
import { type ExitReason, exitSeenByParent, SupervisorError } from '../../supervision/index.js';

t.test('exit seen by parent - a supervisor that gave up is seen as shutdown', async (t) => {
  const gaveUp = new SupervisorError('ARQ_ERR_RESTART_INTENSITY', 'gave up');
  t.same(exitSeenByParent({ type: 'error', error: gaveUp }), { type: 'shutdown' });
});

t.test('exit seen by parent - every other exit is seen as it is', async (t) => {
  const reasons: ExitReason[] = [
    { type: 'normal' },
    { type: 'shutdown' },
    { type: 'killed' },
    { type: 'error', error: new Error('crashed') },
    { type: 'error', error: new SupervisorError('ARQ_ERR_START_FAILED', 'did not start') },
    // Only the library's own error counts: a look-alike code on a plain object is a crash.
    { type: 'error', error: { code: 'ARQ_ERR_RESTART_INTENSITY' } },
  ];
  for (const reason of reasons) t.equal(exitSeenByParent(reason), reason);
});

import t from 'tap';
import { shutdownChild } from '../../supervision/index.js';
import { Journal, TestChild } from './fixtures/test-child.js';

t.test('shutdown child - a graceful child stops with shutdown and is not killed', async (t) => {
  const journal = new Journal();
  const child = new TestChild('a', journal, 'graceful');
  t.same(await shutdownChild(child, 1_000), { type: 'shutdown' });
  t.same(journal.entries, ['stop:a', 'exit:a:shutdown']);
});

t.test('shutdown child - a child that ignores stop is killed after its timeout', async (t) => {
  const journal = new Journal();
  const child = new TestChild('a', journal, 'ignore');
  t.same(await shutdownChild(child, 30), { type: 'killed' });
  t.same(journal.entries, ['stop:a', 'kill:a', 'exit:a:killed']);
});

t.test('shutdown child - brutal_kill kills without asking', async (t) => {
  const journal = new Journal();
  const child = new TestChild('a', journal, 'graceful');
  t.same(await shutdownChild(child, 'brutal_kill'), { type: 'killed' });
  t.same(journal.entries, ['kill:a', 'exit:a:killed']);
});

t.test('shutdown child - infinity waits for a slow stop and never kills', async (t) => {
  const journal = new Journal();
  const child = new TestChild('a', journal, { delayMs: 100 });
  t.same(await shutdownChild(child, 'infinity'), { type: 'shutdown' });
  t.same(journal.entries, ['stop:a', 'exit:a:shutdown']);
});

t.test('shutdown child - reports how the child really exited', async (t) => {
  const journal = new Journal();
  const child = new TestChild('a', journal, 'ignore');
  const result = shutdownChild(child, 10_000);
  child.crash(new Error('crashed while stopping'));
  const reason = await result;
  t.equal(reason.type, 'error');
  t.same(journal.entries, ['stop:a', 'exit:a:error'], 'no kill once it exited');
});

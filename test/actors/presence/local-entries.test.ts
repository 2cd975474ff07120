import t from 'tap';
import { LocalEntries } from '../../../actors/presence/local-entries.js';
import type { PresenceEntry } from '../../../actors/presence/presence-entry.js';

function entry(conn: string, topic: string, clock: number): PresenceEntry {
  return { topic, key: 'u', conn, node: 'n', incarnation: 'i', clock, onlineAt: 0, meta: {} };
}

t.test('local-entries - one topic, then several, then one again, per connection', async (t) => {
  const index = new LocalEntries();
  const a = entry('c1', 'room-a', 1);
  const b = entry('c1', 'room-b', 2);
  const other = entry('c2', 'room-a', 3);
  index.add(a);
  index.add(other);
  t.equal(index.get('c1', 'room-a'), a);
  t.equal(index.get('c1', 'room-b'), undefined, 'a single entry answers only for its topic');
  index.add(b);
  t.same(index.of('c1'), [a, b]);
  t.equal(index.get('c1', 'room-b'), b);
  index.remove(a);
  t.same(index.of('c1'), [b], 'back to one entry');
  t.equal(index.get('c1', 'room-a'), undefined);
  index.remove(entry('c1', 'room-x', 9));
  t.same(index.of('c1'), [b], 'removing an entry of another topic changes nothing');
  index.remove(b);
  t.same(index.of('c1'), []);
  t.same(index.of('c2'), [other], 'other connections are untouched');
});

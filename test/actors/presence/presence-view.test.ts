import t from 'tap';
import {
  formatIncarnation,
  metaViewOf,
  type PresenceEntry,
  PresenceState,
  presencesOf,
} from '../../../actors/presence/index.js';

const A = { node: 'node-a', incarnation: formatIncarnation(1_000, 'a') };
const B = { node: 'node-b', incarnation: formatIncarnation(2_000, 'b') };
const LOBBY = 't.acme.r.lobby';

t.test('presence view - presence_state groups several connections per sub', async (t) => {
  const a = new PresenceState({ replica: A });
  const b = new PresenceState({ replica: B });
  a.join(LOBBY, 'alice', 'c1', { device: 'phone' }, 100);
  a.join(LOBBY, 'alice', 'c2', { device: 'laptop' }, 110);
  a.join(LOBBY, 'bob', 'c3', {}, 120);
  b.join(LOBBY, 'alice', 'c1', { device: 'tablet' }, 130);
  a.merge(b.takeDelta()!);

  const presences = a.list(LOBBY);
  t.same(Object.keys(presences).sort(), ['alice', 'bob']);
  const sortByConnNode = <T extends { conn: string; node: string }>(metas: readonly T[]) =>
    [...metas].sort((x, y) => (x.node + x.conn).localeCompare(y.node + y.conn));
  t.strictSame(sortByConnNode(presences.alice!.metas), [
    { conn: 'c1', node: 'node-a', online_at: 100, device: 'phone' },
    { conn: 'c2', node: 'node-a', online_at: 110, device: 'laptop' },
    { conn: 'c1', node: 'node-b', online_at: 130, device: 'tablet' },
  ]);
  t.strictSame(presences.bob, { metas: [{ conn: 'c3', node: 'node-a', online_at: 120 }] });
  t.equal(a.connectionCount(LOBBY), 4);
  t.equal(a.keyCount(LOBBY), 2);
  t.same(a.list('t.acme.r.nobody'), {}, 'an empty topic lists as {}');
  t.same(JSON.parse(JSON.stringify(presences)), presences, 'plain JSON');
});

const entry = (over: Partial<PresenceEntry>): PresenceEntry => ({
  topic: LOBBY,
  key: 'alice',
  conn: 'c1',
  node: 'node-a',
  incarnation: 'i',
  clock: 1,
  onlineAt: 100,
  meta: {},
  ...over,
});

t.test('presence view - server fields win over client meta of the same name', async (t) => {
  const view = metaViewOf(entry({ meta: { conn: 'spoof', node: 'spoof', online_at: 0, x: 1 } }));
  t.strictSame(view, { conn: 'c1', node: 'node-a', online_at: 100, x: 1 });
});

t.test('presence view - a sub or meta key named __proto__ stays a plain key', async (t) => {
  const meta = JSON.parse('{"__proto__": {"polluted": true}}');
  const presences = presencesOf([entry({ key: '__proto__', meta })]);
  const json = JSON.parse(JSON.stringify(presences));
  t.equal(Object.keys(json).length, 1);
  const own = (o: unknown, k: string): unknown =>
    Object.getOwnPropertyDescriptor(o, k)?.value as unknown;
  const metas = (own(json, '__proto__') as { metas: unknown[] }).metas;
  t.same(own(metas[0], '__proto__'), { polluted: true }, 'the meta key is kept as data');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  t.equal(Object.getPrototypeOf(presences), Object.prototype);
});

import t from 'tap';
import { Presence, type PresenceMeta } from '../../src/client/index.js';

function meta(conn: string, extra: Record<string, unknown> = {}): PresenceMeta {
  return { conn, node: 'n1', online_at: 1, ...extra };
}

type Call = [kind: 'join' | 'leave', sub: string, current: string[], changed: string[]];

/** A Presence that records its callbacks as conn lists, for compact assertions. */
function recorded(): { presence: Presence; calls: Call[]; syncs: () => number } {
  const presence = new Presence();
  const calls: Call[] = [];
  let syncs = 0;
  const conns = (metas: readonly PresenceMeta[]): string[] => metas.map((m) => m.conn);
  presence.onJoin((sub, current, joined) =>
    calls.push(['join', sub, conns(current), conns(joined)]),
  );
  presence.onLeave((sub, current, left) => calls.push(['leave', sub, conns(current), conns(left)]));
  presence.onSync(() => syncs++);
  return { presence, calls, syncs: () => syncs };
}

t.test('presence - a first state joins every sub, in order', async (t) => {
  const { presence, calls, syncs } = recorded();
  presence.syncState({ alice: { metas: [meta('c1')] }, bob: { metas: [meta('c2'), meta('c3')] } });
  t.same(calls, [
    ['join', 'alice', [], ['c1']],
    ['join', 'bob', [], ['c2', 'c3']],
  ]);
  t.same(
    presence.list((sub, metas) => `${sub}:${metas.length}`),
    ['alice:1', 'bob:2'],
  );
  t.same(presence.list()[1], { sub: 'bob', metas: [meta('c2'), meta('c3')] });
  t.equal(presence.size, 2);
  t.equal(syncs(), 1);
});

t.test('presence - a diff adds a second meta to a present sub', async (t) => {
  const { presence, calls } = recorded();
  presence.syncState({ alice: { metas: [meta('c1', { device: 'phone' })] } });
  calls.length = 0;
  presence.syncDiff({
    joins: { alice: { metas: [meta('c2', { device: 'laptop' })] } },
    leaves: {},
  });
  t.same(calls, [['join', 'alice', ['c1'], ['c2']]]);
  t.same(
    presence.get('alice').map((m) => m.device),
    ['phone', 'laptop'],
  );
});

t.test('presence - a leave removes only the metas whose conn left', async (t) => {
  const { presence, calls } = recorded();
  presence.syncState({ alice: { metas: [meta('c1'), meta('c2'), meta('c3')] } });
  calls.length = 0;
  presence.syncDiff({ joins: {}, leaves: { alice: { metas: [meta('c1'), meta('c3')] } } });
  t.same(calls, [['leave', 'alice', ['c2'], ['c1', 'c3']]]);
  t.same(
    presence.get('alice').map((m) => m.conn),
    ['c2'],
  );
  presence.syncDiff({ joins: {}, leaves: { alice: { metas: [meta('c2')] } } });
  t.same(calls[1], ['leave', 'alice', [], ['c2']]);
  t.equal(presence.size, 0, 'a sub without metas is gone');
  t.same(presence.get('alice'), []);
});

t.test('presence - leaves of unknown subs or conns change nothing', async (t) => {
  const { presence, calls, syncs } = recorded();
  presence.syncState({ alice: { metas: [meta('c1')] } });
  calls.length = 0;
  presence.syncDiff({
    joins: {},
    leaves: { bob: { metas: [meta('c9')] }, alice: { metas: [meta('c7')] } },
  });
  t.same(calls, []);
  t.same(
    presence.list().map((g) => g.sub),
    ['alice'],
  );
  t.equal(syncs(), 2, 'still a sync');
});

t.test('presence - a conn joined and left in one diff is a meta update', async (t) => {
  const { presence, calls } = recorded();
  presence.syncState({ alice: { metas: [meta('c1', { status: 'away' }), meta('c2')] } });
  calls.length = 0;
  presence.syncDiff({
    joins: { alice: { metas: [meta('c1', { status: 'busy' })] } },
    leaves: { alice: { metas: [meta('c1', { status: 'away' })] } },
  });
  t.same(calls, [['join', 'alice', ['c1', 'c2'], ['c1']]], 'no leave reported');
  t.same(
    presence.get('alice').map((m) => [m.conn, m.status]),
    [
      ['c2', undefined],
      ['c1', 'busy'],
    ],
  );
});

t.test('presence - a fresh state replaces the old, leaving those gone', async (t) => {
  const { presence, calls } = recorded();
  presence.syncState({
    alice: { metas: [meta('a1'), meta('a2')] },
    bob: { metas: [meta('b1')] },
  });
  calls.length = 0;
  // After a reconnect: alice's a2 survived, a1 is now a3; bob is gone; carol is new.
  presence.syncState({
    alice: { metas: [meta('a2'), meta('a3')] },
    carol: { metas: [meta('c1')] },
  });
  t.same(calls, [
    ['join', 'alice', ['a1', 'a2'], ['a3']],
    ['join', 'carol', [], ['c1']],
    ['leave', 'alice', ['a2', 'a3'], ['a1']],
    ['leave', 'bob', [], ['b1']],
  ]);
  t.same(
    presence.list((sub, metas) => [sub, metas.map((m) => m.conn)]),
    [
      ['alice', ['a2', 'a3']],
      ['carol', ['c1']],
    ],
  );
});

t.test('presence - a state equal to the current one reports no change', async (t) => {
  const { presence, calls } = recorded();
  const state = { alice: { metas: [meta('a1', { x: 1 })] } };
  presence.syncState(state);
  calls.length = 0;
  presence.syncState({ alice: { metas: [meta('a1', { x: 1 })] } });
  t.same(calls, []);
  presence.syncState({ alice: { metas: [meta('a1', { x: 2 })] } });
  t.same(calls, [['join', 'alice', ['a1'], ['a1']]], 'a changed meta of the same conn is a join');
  t.same(presence.get('alice')[0]?.x, 2);
});

t.test('presence - clear leaves everyone; callbacks can be removed', async (t) => {
  const { presence, calls } = recorded();
  let extra = 0;
  const off = presence.onJoin(() => extra++);
  presence.syncState({ alice: { metas: [meta('a1')] } });
  off();
  presence.syncState({ alice: { metas: [meta('a1')] }, bob: { metas: [meta('b1')] } });
  t.equal(extra, 1);
  calls.length = 0;
  presence.clear();
  t.same(calls, [
    ['leave', 'alice', [], ['a1']],
    ['leave', 'bob', [], ['b1']],
  ]);
  t.equal(presence.size, 0);
});

t.test('presence - a sub named __proto__ is a plain key', async (t) => {
  const { presence } = recorded();
  const presences = JSON.parse('{"__proto__":{"metas":[{"conn":"p1","node":"n","online_at":1}]}}');
  presence.syncState(presences);
  t.same(
    presence.list().map((g) => g.sub),
    ['__proto__'],
  );
  presence.syncDiff({ joins: {}, leaves: presences });
  t.equal(presence.size, 0);
});

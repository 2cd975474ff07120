import t from 'tap';
import {
  formatIncarnation,
  PresenceState,
  presenceDiffOf,
} from '../../../actors/presence/index.js';

const A = { node: 'node-a', incarnation: formatIncarnation(1_000, 'a') };
const B = { node: 'node-b', incarnation: formatIncarnation(2_000, 'b') };
const LOBBY = 't.acme.r.lobby';

t.test('presence diff - a remote join and leave as presence_diff bodies', async (t) => {
  const a = new PresenceState({ replica: A });
  const b = new PresenceState({ replica: B });
  b.join(LOBBY, 'alice', 'c1', { device: 'phone' }, 100);
  b.join(LOBBY, 'alice', 'c2', { device: 'laptop' }, 101);
  const joined = a.merge(b.takeDelta()!).changes;
  t.same([...joined.keys()], [LOBBY]);
  const body = presenceDiffOf(joined.get(LOBBY)!);
  t.same(body.leaves, {});
  t.same(Object.keys(body.joins), ['alice']);
  t.same(body.joins.alice!.metas.map((m) => [m.conn, m.node, m.online_at, m.device]).sort(), [
    ['c1', 'node-b', 100, 'phone'],
    ['c2', 'node-b', 101, 'laptop'],
  ]);

  b.leaveConn('c1');
  const left = presenceDiffOf(a.merge(b.takeDelta()!).changes.get(LOBBY)!);
  t.strictSame(left, {
    joins: {},
    leaves: { alice: { metas: [{ conn: 'c1', node: 'node-b', online_at: 100, device: 'phone' }] } },
  });
});

t.test(
  'presence diff - a meta update is a leave of the old meta and a join of the new',
  async (t) => {
    const a = new PresenceState({ replica: A });
    a.join(LOBBY, 'alice', 'c1', { status: 'here' }, 100);
    const changes = a.join(LOBBY, 'alice', 'c1', { status: 'away' }, 200);
    t.strictSame(presenceDiffOf(changes.get(LOBBY)!), {
      joins: { alice: { metas: [{ conn: 'c1', node: 'node-a', online_at: 100, status: 'away' }] } },
      leaves: {
        alice: { metas: [{ conn: 'c1', node: 'node-a', online_at: 100, status: 'here' }] },
      },
    });
  },
);

import t from 'tap';
import { PeerTable } from '../../src/cluster/membership/peer-table.js';

const n2 = { node: 'n2', incarnation: 'b' };

t.test(
  'peer table - first heartbeat is up, silence is down, the next heartbeat is up again',
  async (t) => {
    const table = new PeerTable();
    t.same(table.heartbeat(n2, 0), { type: 'up', member: n2 });
    t.equal(table.heartbeat(n2, 100), null, 'a live peer heartbeating changes nothing');
    t.same(table.sweep(500, 500, 10_000, true), [], 'silent for exactly downAfterMs: still up');
    t.same(table.sweep(700, 500, 10_000, false), [], 'no silence check on a late tick');
    t.same(table.sweep(700, 500, 10_000, true), [{ type: 'down', member: n2, silentMs: 600 }]);
    t.same(table.live(), []);
    t.same(table.heartbeat(n2, 800), { type: 'up', member: n2 });
    t.same(table.live(), [n2]);
  },
);

t.test('peer table - a newer life is a restart, an older one is stale', async (t) => {
  const table = new PeerTable();
  table.heartbeat(n2, 0);
  const next = { node: 'n2', incarnation: 'c' };
  t.same(table.heartbeat(next, 10), { type: 'restarted', previous: n2, member: next });
  t.equal(table.heartbeat(n2, 20), 'stale');
  t.same(table.live(), [next]);
});

t.test('peer table - a leaving peer stays gone; its late heartbeats are stale', async (t) => {
  const table = new PeerTable();
  table.heartbeat(n2, 0);
  t.same(table.leaving(n2, 10), { type: 'leaving', member: n2 });
  t.equal(table.heartbeat(n2, 20), 'stale');
  t.equal(table.leaving(n2, 30), 'stale', 'a repeated leaving is stale too');
  t.same(table.snapshot(40), [{ member: n2, status: 'left', lastSeenMs: 30 }]);
  const next = { node: 'n2', incarnation: 'c' };
  t.same(table.heartbeat(next, 50), { type: 'restarted', previous: n2, member: next });
});

t.test('peer table - down and departed records are forgotten after forgetAfterMs', async (t) => {
  const table = new PeerTable();
  table.heartbeat(n2, 0);
  table.leaving({ node: 'n3', incarnation: 'x' }, 0);
  table.sweep(1_000, 500, 2_000, true); // n2 down at 1000
  t.equal(table.snapshot(1_000).length, 2);
  table.sweep(2_500, 500, 2_000, true);
  t.same(
    table.snapshot(2_500).map((p) => p.member.node),
    ['n2'],
    'n3 (left at 0) forgotten',
  );
  table.sweep(3_100, 500, 2_000, true);
  t.same(table.snapshot(3_100), [], 'n2 (down at 1000) forgotten');
  t.same(table.heartbeat(n2, 3_200), { type: 'up', member: n2 }, 'a forgotten node is new again');
});

t.test('peer table - forgiving silence gives live peers a fresh start', async (t) => {
  const table = new PeerTable();
  table.heartbeat(n2, 0);
  table.forgiveSilence(5_000);
  t.same(table.sweep(5_400, 500, 10_000, true), []);
  t.equal(table.sweep(5_600, 500, 10_000, true).length, 1);
});

import fc from 'fast-check';
import t from 'tap';
import {
  formatIncarnation,
  type PresenceDiffBody,
  PresenceTracker,
} from '../../../actors/presence/index.js';
import { Presence, type Presences } from '../../../src/client/index.js';

const REPLICA = { node: 'node-a', incarnation: formatIncarnation(1_000, 'a') };
const LOBBY = 't.acme.r.lobby';
const OTHER = 't.acme.r.other';
/** Long enough that no window ends by itself while a test runs: tests end windows with flush(). */
const NEVER_MS = 60_000;

function recorder(coalesceMs: number): {
  tracker: PresenceTracker;
  diffs: { topic: string; body: PresenceDiffBody }[];
} {
  const diffs: { topic: string; body: PresenceDiffBody }[] = [];
  const tracker = new PresenceTracker({
    replica: REPLICA,
    coalesceMs,
    output: { diff: (topic, body) => diffs.push({ topic, body }) },
  });
  return { tracker, diffs };
}

const conns = (p: Presences): string[] =>
  Object.values(p)
    .flatMap((group) => group.metas.map((meta) => meta.conn))
    .sort();

/** A member's view as the SDK keeps it, as comparable text. */
function viewOf(presence: Presence): string[] {
  return presence
    .list((sub, metas) => metas.map((m) => `${sub}/${m.conn}/${JSON.stringify(m)}`))
    .flat()
    .sort();
}

t.test(
  'presence coalescer - a lone change goes at once, a burst waits for the window',
  async (t) => {
    const { tracker, diffs } = recorder(NEVER_MS);
    tracker.join(LOBBY, 'alice', 'c1', {}, 1);
    t.equal(diffs.length, 1, 'the first change is sent at once');
    t.same(conns(diffs[0]!.body.joins), ['c1']);
    tracker.join(LOBBY, 'bob', 'c2', {}, 2);
    tracker.join(LOBBY, 'carol', 'c3', {}, 3);
    tracker.join(OTHER, 'dave', 'c4', {}, 4);
    t.equal(diffs.length, 2, 'more lobby changes wait; another room is quiet, so it goes at once');
    t.equal(diffs[1]!.topic, OTHER);
    tracker.flush();
    t.equal(diffs.length, 3, 'one diff for the whole lobby burst');
    t.same(conns(diffs[2]!.body.joins), ['c2', 'c3']);
    tracker.join(LOBBY, 'erin', 'c5', {}, 5);
    t.equal(diffs.length, 4, 'after the window closed, the next change goes at once again');
  },
);

t.test('presence coalescer - a join and leave inside one window send the leave only', async (t) => {
  const { tracker, diffs } = recorder(NEVER_MS);
  tracker.join(LOBBY, 'alice', 'c1', {}, 1);
  tracker.join(LOBBY, 'bob', 'c2', {}, 2);
  tracker.leave(LOBBY, 'c2');
  tracker.leave(LOBBY, 'c1');
  tracker.flush();
  t.equal(diffs.length, 2);
  t.same(conns(diffs[1]!.body.joins), [], "bob's join is dropped");
  // A member that joined mid-window has bob from its presence_state; to the others it is nothing.
  t.same(conns(diffs[1]!.body.leaves), ['c1', 'c2'], 'both leaves are sent');
});

t.test('presence coalescer - windows end by themselves and close when quiet', async (t) => {
  const { tracker, diffs } = recorder(20);
  tracker.join(LOBBY, 'alice', 'c1', {}, 1);
  tracker.join(LOBBY, 'bob', 'c2', {}, 2);
  t.equal(diffs.length, 1);
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.equal(diffs.length, 2, 'the pending join went out when the window ended');
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.equal(diffs.length, 2, 'a quiet window sends nothing');
  tracker.join(LOBBY, 'carol', 'c3', {}, 3);
  t.equal(diffs.length, 3, 'and the next change goes at once');
});

t.test(
  'presence coalescer - afterPending waits for the window only when something is pending',
  async (t) => {
    const { tracker, diffs } = recorder(NEVER_MS);
    const order: string[] = [];
    tracker.join(LOBBY, 'alice', 'c1', {}, 1);
    tracker.afterPending(LOBBY, () => order.push('nothing pending'));
    tracker.join(LOBBY, 'bob', 'c2', {}, 2);
    tracker.afterPending(LOBBY, () => order.push(`after ${diffs.length} diffs`));
    t.same(order, ['nothing pending']);
    tracker.flush();
    t.same(order, ['nothing pending', 'after 2 diffs'], 'called right after the window diff');
  },
);

t.test('presence coalescer - 0 sends every change at once', async (t) => {
  const { tracker, diffs } = recorder(0);
  for (let i = 0; i < 5; i++) tracker.join(LOBBY, `u${i}`, `c${i}`, {}, i);
  t.equal(diffs.length, 5);
});

t.test('presence coalescer - bad options name the option', async (t) => {
  t.throws(() => recorder(-1), { code: 'ARQ_ERR_PRESENCE_OPTIONS', message: /periodMs/ });
  t.throws(() => recorder(1.5), { code: 'ARQ_ERR_PRESENCE_OPTIONS', message: /periodMs/ });
});

type Op =
  | { type: 'join'; conn: number; meta: number }
  | { type: 'leave'; conn: number }
  | { type: 'tick' }
  | { type: 'late' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    type: fc.constant('join' as const),
    conn: fc.nat(6),
    meta: fc.nat(2),
  }),
  fc.record({ type: fc.constant('leave' as const), conn: fc.nat(6) }),
  fc.record({ type: fc.constant('tick' as const) }),
  fc.record({ type: fc.constant('late' as const) }),
);

t.test(
  'presence coalescer - every member, early or late, converges on the room as the SDK applies it',
  async (t) => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const members: Presence[] = [new Presence()];
        let redundant = 0;
        /** Conns the diff being applied also leaves: their join is a rejoin, not a repeat. */
        let rejoining = new Set<string>();
        const { tracker } = ((): { tracker: PresenceTracker } => {
          const tracker = new PresenceTracker({
            replica: REPLICA,
            coalesceMs: NEVER_MS,
            output: {
              diff: (_topic, body) => {
                rejoining = new Set(
                  Object.values(body.leaves).flatMap((p) => p.metas.map((meta) => meta.conn)),
                );
                for (const m of members) m.syncDiff(body);
              },
            },
          });
          return { tracker };
        })();
        members[0]!.syncState(tracker.list(LOBBY));
        for (const o of ops) {
          if (o.type === 'join') {
            // A rejoin of a conn (new meta) is a leave then a join, as the node does it. A
            // connection's sub never changes (a refreshed token must keep it); several
            // connections share one.
            tracker.join(LOBBY, `u${o.conn % 4}`, `c${o.conn}`, { v: o.meta }, 1);
          } else if (o.type === 'leave') {
            tracker.leave(LOBBY, `c${o.conn}`);
          } else if (o.type === 'tick') {
            tracker.flush();
          } else {
            // A late joiner, as ConnectionActor does it: presence_state and the diffs from then
            // on, once what is pending has gone out.
            tracker.afterPending(LOBBY, () => {
              const late = new Presence();
              late.syncState(tracker.list(LOBBY));
              late.onJoin((_sub, current, joined) => {
                for (const meta of joined) {
                  if (rejoining.has(meta.conn)) continue;
                  if (current.some((known) => JSON.stringify(known) === JSON.stringify(meta)))
                    redundant++;
                }
              });
              members.push(late);
            });
          }
        }
        tracker.flush();
        const truth = new Presence();
        truth.syncState(tracker.list(LOBBY));
        for (const m of members) {
          if (JSON.stringify(viewOf(m)) !== JSON.stringify(viewOf(truth))) return false;
        }
        // A late joiner never gets a join it already had from its presence_state (a conn that
        // left and joined again within one window is a rejoin, and is reported as one).
        return redundant === 0;
      }),
      { numRuns: 300 },
    );
    t.pass('converged');
  },
);

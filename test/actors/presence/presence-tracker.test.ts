import t from 'tap';
import { formatIncarnation, PresenceTracker } from '../../../actors/presence/index.js';

const REPLICA = { node: 'node-a', incarnation: formatIncarnation(1_000, 'a') };
const LOBBY = 't.acme.r.lobby';
const OTHER = 't.acme.r.other';

function tracker(): PresenceTracker {
  return new PresenceTracker({ replica: REPLICA, coalesceMs: 0, output: { diff: () => {} } });
}

t.test(
  'presence tracker - generation changes with every visible change, 0 when empty',
  async (t) => {
    const presence = tracker();
    t.equal(presence.generation(LOBBY), 0);
    presence.join(LOBBY, 'alice', 'c1', {}, 10);
    const g1 = presence.generation(LOBBY);
    t.ok(g1 > 0);
    presence.join(LOBBY, 'alice', 'c1', {}, 10);
    const g2 = presence.generation(LOBBY);
    presence.leave(LOBBY, 'nobody');
    t.equal(presence.generation(LOBBY), g2, 'a leave of an unknown conn changes nothing');
    presence.join(OTHER, 'bob', 'c2', {}, 11);
    t.equal(presence.generation(LOBBY), g2, 'a change in another room leaves it alone');
    presence.leaveConn('c1');
    t.equal(presence.generation(LOBBY), 0, 'emptied');
  },
);

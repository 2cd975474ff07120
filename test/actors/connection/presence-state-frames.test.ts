import { setImmediate as nextTask } from 'node:timers/promises';
import t from 'tap';
import { PresenceStateFrames } from '../../../actors/connection/index.js';
import { formatIncarnation, PresenceTracker } from '../../../actors/presence/index.js';
import { decodeServerBinary } from '../../helpers/server-frames.js';

const REPLICA = { node: 'node-a', incarnation: formatIncarnation(1_000, 'a') };
const LOBBY = 't.acme.r.lobby';
const OTHER = 't.acme.r.other';

function tracker(): PresenceTracker {
  return new PresenceTracker({ replica: REPLICA, coalesceMs: 0, output: { diff: () => {} } });
}

function jsonOf(bytes: Uint8Array): { op: string; room: string; presences: object } {
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

t.test('presence state frames - the frame holds the room state in either encoding', async (t) => {
  const presence = tracker();
  presence.join(LOBBY, 'alice', 'c1', { status: 'here' }, 10);
  const frames = new PresenceStateFrames(presence);
  const json = frames.frame(LOBBY, 'lobby', 'json');
  t.equal(json.binary, false, 'JSON goes out as a text frame');
  t.same(jsonOf(json.bytes), {
    op: 'presence_state',
    room: 'lobby',
    presences: {
      alice: { metas: [{ conn: 'c1', node: 'node-a', online_at: 10, status: 'here' }] },
    },
  });
  const binary = frames.frame(LOBBY, 'lobby', 'binary');
  t.equal(binary.binary, true);
  t.same(decodeServerBinary(binary.bytes), {
    op: 'presence_state',
    room: 'lobby',
    presences: {
      alice: { metas: [{ conn: 'c1', node: 'node-a', online_at: 10, status: 'here' }] },
    },
  });
});

t.test('presence state frames - joiners share one build until the room changes', async (t) => {
  const presence = tracker();
  presence.join(LOBBY, 'alice', 'c1', {}, 10);
  presence.join(OTHER, 'bob', 'c2', {}, 11);
  const frames = new PresenceStateFrames(presence);
  const first = frames.frame(LOBBY, 'lobby', 'json');
  t.equal(frames.frame(LOBBY, 'lobby', 'json'), first, 'the same bytes while nothing changed');
  presence.join(OTHER, 'carol', 'c3', {}, 12);
  t.equal(frames.frame(LOBBY, 'lobby', 'json'), first, 'a change in another room does not rebuild');
  presence.join(LOBBY, 'dave', 'c4', {}, 13);
  const second = frames.frame(LOBBY, 'lobby', 'json');
  t.not(second, first, 'a join rebuilds');
  t.same(Object.keys(jsonOf(second.bytes).presences).sort(), ['alice', 'dave']);
  presence.leave(LOBBY, 'c1');
  t.same(Object.keys(jsonOf(frames.frame(LOBBY, 'lobby', 'json').bytes).presences), ['dave']);
  presence.leave(LOBBY, 'c4');
  t.same(jsonOf(frames.frame(LOBBY, 'lobby', 'json').bytes).presences, {}, 'emptied: no entries');
  presence.join(LOBBY, 'erin', 'c5', {}, 14);
  t.same(
    Object.keys(jsonOf(frames.frame(LOBBY, 'lobby', 'json').bytes).presences),
    ['erin'],
    'a room that emptied and filled again is rebuilt',
  );
});

t.test('presence state frames - nothing is kept past the current task', async (t) => {
  const presence = tracker();
  presence.join(LOBBY, 'alice', 'c1', {}, 10);
  const frames = new PresenceStateFrames(presence);
  const first = frames.frame(LOBBY, 'lobby', 'json');
  await nextTask();
  const later = frames.frame(LOBBY, 'lobby', 'json');
  t.not(later, first, 'built again in a later task');
  t.same(later.bytes, first.bytes, 'with the same content');
});

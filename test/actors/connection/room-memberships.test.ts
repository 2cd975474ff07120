import t from 'tap';
import { RoomMemberships } from '../../../actors/connection/room-memberships.js';

const membership = (roomKey: string, onlineAt = 1) => ({
  roomKey,
  room: roomKey.slice(2),
  meta: {},
  onlineAt,
  presence: true,
});

t.test('room memberships - behave as a map by room key', async (t) => {
  const rooms = new RoomMemberships();
  t.equal(rooms.size, 0);
  t.notOk(rooms.has('t.a'));
  t.notOk(rooms.delete('t.a'));
  rooms.set(membership('t.a'));
  t.equal(rooms.size, 1);
  t.equal(rooms.get('t.a')?.roomKey, 't.a');
  t.equal(rooms.get('t.b'), undefined);
  rooms.set(membership('t.a', 2));
  t.equal(rooms.size, 1, 'the same room replaces');
  t.equal(rooms.get('t.a')?.onlineAt, 2);
  rooms.set(membership('t.b'));
  rooms.set(membership('t.c'));
  t.equal(rooms.size, 3);
  t.same([...rooms.keys()], ['t.a', 't.b', 't.c'], 'in the order added');
  t.notOk(rooms.delete('t.x'));
  t.ok(rooms.delete('t.b'));
  t.ok(rooms.delete('t.a'));
  t.equal(rooms.size, 1);
  t.same([...rooms.keys()], ['t.c']);
  t.ok(rooms.has('t.c'));
  rooms.set(membership('t.d'));
  t.same([...rooms.keys()], ['t.c', 't.d'], 'back to many: order kept');
  rooms.clear();
  t.equal(rooms.size, 0);
  t.same([...rooms.values()], []);
});

t.test('room memberships - against a Map, over random operations', async (t) => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const rooms = new RoomMemberships();
  const model = new Map<string, number>();
  for (let i = 0; i < 2_000; i++) {
    const key = `t.r${random(4)}`;
    const op = random(3);
    if (op === 0) {
      rooms.set(membership(key, i));
      model.set(key, i);
    } else if (op === 1) {
      t.equal(rooms.delete(key), model.delete(key));
    } else {
      t.equal(rooms.get(key)?.onlineAt, model.get(key));
    }
    if (rooms.size !== model.size) t.fail(`size ${rooms.size} vs ${model.size} at ${i}`);
  }
  t.same([...rooms.keys()], [...model.keys()], 'same keys in the same order');
});

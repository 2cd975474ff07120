import fc from 'fast-check';
import t from 'tap';
import { ClusterRing, ownerChanged, ownerMove, RING_VNODES } from '../../src/cluster/index.js';

const rooms = Array.from({ length: 1000 }, (_, i) => `tenant-${i % 7}|room.${i}`);

t.test('cluster ring - the same member set gives the same owner in any order', async (t) => {
  const members = ['node-a', 'node-b', 'node-c', 'node-d'];
  const reference = new ClusterRing(members);
  fc.assert(
    fc.property(fc.shuffledSubarray(members, { minLength: 4, maxLength: 4 }), (order) => {
      const ring = new ClusterRing([...order, order[0]!]); // a duplicate changes nothing
      return (
        ring.sameMembers(reference) && rooms.every((r) => ring.ownerOf(r) === reference.ownerOf(r))
      );
    }),
    { numRuns: 30 },
  );
  t.same(reference.members, members);
  const owners = new Set(rooms.map((r) => reference.ownerOf(r)));
  t.same([...owners].sort(), members, 'every member owns some of 1000 rooms');
});

t.test('cluster ring - removing a node moves only its rooms', async (t) => {
  for (const size of [3, 6, 7, 8]) {
    const members = Array.from({ length: size }, (_, i) => `node-${i}`);
    const before = new ClusterRing(members);
    const removed = members[1]!;
    const after = new ClusterRing(members.filter((m) => m !== removed));
    const ofRemoved = rooms.filter((room) => before.ownerOf(room) === removed);
    const moved = rooms.filter((room) => ownerMove(before, after, room) !== null);
    t.ok(ofRemoved.length > 0, `${size} nodes: the removed node owned ${ofRemoved.length} rooms`);
    t.same(moved, ofRemoved, `${size} nodes: exactly the removed node's rooms moved`);
    t.notOk(
      moved.some((room) => after.ownerOf(room) === removed),
      'none of them is still placed on it',
    );
  }
});

t.test('cluster ring - adding a node moves rooms only to it', async (t) => {
  for (const size of [2, 6, 13]) {
    const members = Array.from({ length: size }, (_, i) => `node-${i}`);
    const before = new ClusterRing(members);
    const after = new ClusterRing([...members, 'node-new']);
    const moves = rooms.map((room) => ownerMove(before, after, room)).filter((m) => m !== null);
    t.ok(moves.length > 0, `${size} -> ${size + 1} nodes: some rooms move`);
    t.ok(
      moves.every((m) => m.to === 'node-new'),
      'every move goes to the new node',
    );
    t.equal(
      rooms.filter((room) => ownerChanged(before, after, room)).length,
      moves.length,
      'ownerChanged agrees with ownerMove',
    );
  }
});

t.test('cluster ring - an empty ring owns nothing; members are checked', async (t) => {
  const empty = new ClusterRing([]);
  t.equal(empty.size, 0);
  t.throws(() => empty.ownerOf('t|r'), { code: 'ARQ_ERR_CLUSTER_EMPTY_RING' });
  const one = new ClusterRing(['solo']);
  t.same(ownerMove(empty, one, 't|r'), { from: null, to: 'solo' });
  t.equal(ownerMove(one, one, 't|r'), null);
  t.ok(one.has('solo'));
  t.notOk(one.has('other'));
  t.throws(() => new ClusterRing(['a', '']), { code: 'ARQ_ERR_CLUSTER_OPTIONS' });
  t.throws(() => new ClusterRing([7 as unknown as string]), /members must be non-empty strings/);
  t.equal(RING_VNODES, 40);
});

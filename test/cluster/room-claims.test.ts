import t from 'tap';
import { ClusterRing, claimPart, PeerClaims } from '../../src/cluster/index.js';

const roomOf = (ring: ClusterRing, owner: string): string => {
  for (let i = 0; ; i++) if (ring.ownerOf(`acme|r${i}`) === owner) return `acme|r${i}`;
};

t.test('room claims - a peer claims the rooms its announced ring gives it', async (t) => {
  const claims = new PeerClaims();
  const mine = new ClusterRing(['a', 'b', 'c']);
  const old = new ClusterRing(['a', 'b']);
  // A room that a owned before c came, and c owns now.
  let moved = '';
  for (let i = 0; moved === ''; i++) {
    const key = `acme|m${i}`;
    if (old.ownerOf(key) === 'a' && mine.ownerOf(key) === 'c') moved = key;
  }
  t.ok(claims.agreeWith(mine), 'nobody announced anything: no claims');
  t.ok(claims.update('a', claimPart(old)), 'a announces the ring it had before c');
  t.notOk(claims.update('a', claimPart(old)), 'the same again is no change');
  t.notOk(claims.agreeWith(mine));
  t.ok(claims.claims(moved, null), 'a still claims the room that moved to c');
  t.notOk(claims.claims(moved, 'a'), 'unless a is the one set aside (it handed the room over)');
  t.notOk(claims.claims(roomOf(old, 'b'), null), 'a claims none of b’s rooms');
  t.ok(claims.update('a', claimPart(mine)), 'a lets go');
  t.notOk(claims.claims(moved, null));
  t.ok(claims.agreeWith(mine));
  claims.update('b', claimPart(old));
  t.ok(claims.drop('b'), 'a peer that is gone claims nothing');
  t.ok(claims.agreeWith(mine));
  t.equal(claimPart(null), undefined, 'a node that has not joined announces nothing');
  for (const bad of [undefined, null, 7, { ring: [] }, { ring: ['a', ''] }, { ring: 'a' }]) {
    claims.update('a', bad);
    t.ok(claims.agreeWith(mine), `${JSON.stringify(bad)} claims nothing`);
  }
});

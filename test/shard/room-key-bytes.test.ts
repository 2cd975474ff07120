import t from 'tap';
import { ROOM_KEY_BYTES_CAPACITY, RoomKeyBytes } from '../../src/shard/room-key-bytes.js';

t.test('room-key-bytes - a room key is encoded once and stays bounded', async (t) => {
  const keys = new RoomKeyBytes();
  const first = keys.of('acme|lobby');
  t.equal(new TextDecoder().decode(first), 'acme|lobby');
  t.equal(keys.of('acme|lobby'), first, 'the same bytes for the same room');
  t.equal(new TextDecoder().decode(keys.of('acme|ünïcode')), 'acme|ünïcode', 'UTF-8, not Latin-1');
  for (let i = 0; i < ROOM_KEY_BYTES_CAPACITY; i++) keys.of(`acme|room-${i}`);
  const again = keys.of('acme|lobby');
  t.not(again, first, 'past its capacity the cache started over');
  t.equal(new TextDecoder().decode(again), 'acme|lobby');
});

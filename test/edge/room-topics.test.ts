import t from 'tap';
import { roomKeyOf, topicOf } from '../../actors/index.js';
import { ROOM_TOPICS_CAPACITY, RoomTopics } from '../../src/edge/room-topics.js';

t.test(
  'room-topics - a room key maps to its name and the topics its members subscribe to',
  async (t) => {
    const topics = new RoomTopics();
    const key = roomKeyOf('acme', 'chat.lobby');
    const set = topics.of(key);
    t.equal(set.room, 'chat.lobby');
    t.equal(set.messageJson, topicOf('m', 'j', key));
    t.equal(set.messageBinary, topicOf('m', 'b', key));
    t.equal(topics.of(key), set, 'built once, then reused');
    t.not(
      topics.of(roomKeyOf('other', 'chat.lobby')).messageJson,
      set.messageJson,
      'tenants differ',
    );
  },
);

t.test('room-topics - past its capacity the cache starts over, answers stay right', async (t) => {
  const topics = new RoomTopics();
  const first = topics.of(roomKeyOf('acme', 'r0'));
  for (let i = 1; i <= ROOM_TOPICS_CAPACITY; i++) topics.of(roomKeyOf('acme', `r${i}`));
  const again = topics.of(roomKeyOf('acme', 'r0'));
  t.not(again, first, 'the first entry was dropped');
  t.same(again, first, 'and rebuilt equal');
});

import t from 'tap';
import { RoomCursor } from '../../src/client/room-cursor.js';

t.test('room cursor - a plain join delivers only offsets after the reply', async (t) => {
  const cursor = new RoomCursor({ epoch: 'e1', offset: 4, since: undefined, recovered: undefined });
  t.equal(cursor.accept(4), false, 'the reply offset was published before the join');
  t.equal(cursor.accept(5), true);
  t.equal(cursor.accept(5), false, 'the same offset twice');
  t.equal(cursor.accept(3), false, 'an older offset');
  t.equal(cursor.accept(7), true, 'a gap is not a duplicate');
  t.equal(cursor.accept(6), false, 'behind the last delivered');
  t.same(cursor.resumePoint(), { epoch: 'e1', offset: 7 });
});

t.test(
  'room cursor - a recovered resume starts at since, an unrecovered one at the reply',
  async (t) => {
    const resumed = new RoomCursor({
      epoch: 'e1',
      offset: 9,
      since: { epoch: 'e1', offset: 6 },
      recovered: true,
    });
    t.equal(resumed.accept(6), false);
    t.equal(resumed.accept(7), true, 'the replay after since');
    const lost = new RoomCursor({
      epoch: 'e2',
      offset: 2,
      since: { epoch: 'e1', offset: 6 },
      recovered: false,
    });
    t.equal(lost.epoch, 'e2', 'a new epoch places the room afresh');
    t.equal(lost.accept(2), false);
    t.equal(lost.accept(3), true, 'lower than the old epoch offset, new in this one');
    t.same(lost.resumePoint(), { epoch: 'e2', offset: 3 });
  },
);

t.test(
  'room cursor - a join from a time resumes from that time until a message comes',
  async (t) => {
    const cursor = new RoomCursor({ epoch: 'e1', offset: 5, since: { ts: 1000 }, recovered: true });
    t.same(cursor.resumePoint(), { ts: 1000 });
    cursor.skipOwn(6);
    t.same(cursor.resumePoint(), { ts: 1000 }, 'an own publish does not end the time replay');
    t.equal(cursor.accept(2), true, 'the replay may start at any offset');
    t.same(cursor.resumePoint(), { epoch: 'e1', offset: 2 });
    t.equal(cursor.accept(2), false);
    const late = new RoomCursor({ epoch: 'e1', offset: 5, since: { ts: 1000 }, recovered: false });
    t.same(late.resumePoint(), { epoch: 'e1', offset: 5 }, 'nothing replayed: resume at the reply');
  },
);

t.test(
  'room cursor - an own publish without echo moves the resume point only when next',
  async (t) => {
    const cursor = new RoomCursor({
      epoch: 'e1',
      offset: 3,
      since: undefined,
      recovered: undefined,
    });
    cursor.skipOwn(5);
    t.same(cursor.resumePoint(), { epoch: 'e1', offset: 3 }, 'offset 4 is someone else, not seen');
    cursor.skipOwn(4);
    t.same(cursor.resumePoint(), { epoch: 'e1', offset: 4 });
    t.equal(cursor.accept(5), true, 'the delivered mark did not move');
  },
);

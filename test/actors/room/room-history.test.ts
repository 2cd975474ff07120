import t from 'tap';
import { RoomHistory } from '../../../actors/room/room-history.js';

const entry = (offset: number, size = 1) => ({
  offset,
  ts: offset * 10,
  senderConn: 1,
  payload: new Uint8Array(size),
});

t.test('room history - replays the messages after an offset', async (t) => {
  const history = new RoomHistory({ maxMessages: 10 });
  for (let o = 1; o <= 5; o++) history.append(entry(o));
  t.same(
    history.after(2, 5)?.map((e) => e.offset),
    [3, 4, 5],
  );
  t.same(
    history.after(0, 5)?.map((e) => e.offset),
    [1, 2, 3, 4, 5],
  );
  t.same(history.after(5, 5), [], 'nothing newer');
});

t.test('room history - evicts by count and reports a gap as null', async (t) => {
  const history = new RoomHistory({ maxMessages: 3 });
  for (let o = 1; o <= 7; o++) history.append(entry(o));
  t.equal(history.size, 3);
  t.same(
    history.after(4, 7)?.map((e) => e.offset),
    [5, 6, 7],
  );
  t.equal(history.after(3, 7), null, 'offset 4 was evicted');
});

t.test('room history - evicts by bytes and drops an entry larger than the budget', async (t) => {
  const history = new RoomHistory({ maxMessages: 100, maxBytes: 10 });
  history.append(entry(1, 4));
  history.append(entry(2, 4));
  history.append(entry(3, 4));
  t.equal(history.size, 2);
  t.equal(history.bytes, 8);
  history.append(entry(4, 11));
  t.equal(history.size, 0, 'too large to keep: the window restarts');
  t.equal(history.after(3, 4), null);
});

t.test('room history - rejects invalid options', async (t) => {
  t.throws(() => new RoomHistory({ maxMessages: -1 }), /options.maxMessages/);
  t.throws(() => new RoomHistory({ maxBytes: 1.5 }), /options.maxBytes/);
});

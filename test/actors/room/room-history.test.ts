import fc from 'fast-check';
import t from 'tap';
import { type HistoryEntry, RoomHistory } from '../../../actors/room/room-history.js';

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

t.test('room history - replays from a time, null when the window starts after it', async (t) => {
  const history = new RoomHistory({ maxMessages: 3 });
  t.same(history.fromTime(0, 0), [], 'nothing ever published');
  for (let o = 1; o <= 3; o++) history.append(entry(o));
  t.same(
    history.fromTime(15, 3)?.map((e) => e.offset),
    [2, 3],
    'ts 20 and 30 are at or after 15',
  );
  t.same(
    history.fromTime(0, 3)?.map((e) => e.offset),
    [1, 2, 3],
    'from offset 1: all kept',
  );
  t.same(history.fromTime(31, 3), [], 'after the newest');
  for (let o = 4; o <= 5; o++) history.append(entry(o));
  t.equal(history.fromTime(25, 5), null, 'offset 2 (ts 20) may be wanted and was evicted');
  t.equal(history.fromTime(30, 5), null, 'an evicted message may share ts 30');
  t.same(
    history.fromTime(31, 5)?.map((e) => e.offset),
    [4, 5],
  );
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
  t.throws(() => new RoomHistory({ maxBytes: 2 ** 32 }), /options.maxBytes/);
});

/** Payload bytes derived from offset and index, so a misplaced or overwritten byte shows. */
const patterned = (offset: number, size: number) => {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = (offset * 31 + i) & 0xff;
  return payload;
};

/** The plain-array model: the same eviction rules over kept entry objects. */
class ReferenceHistory {
  readonly kept: HistoryEntry[] = [];
  bytes = 0;
  constructor(
    readonly maxMessages: number,
    readonly maxBytes: number,
  ) {}
  append(entry: HistoryEntry): void {
    const size = entry.payload.byteLength;
    if (this.maxMessages === 0 || size > this.maxBytes) {
      this.kept.length = 0;
      this.bytes = 0;
      return;
    }
    while (
      this.kept.length > 0 &&
      (this.kept.length === this.maxMessages || this.bytes + size > this.maxBytes)
    ) {
      this.bytes -= (this.kept.shift() as HistoryEntry).payload.byteLength;
    }
    this.kept.push({ ...entry, payload: entry.payload.slice() });
    this.bytes += size;
  }
}

const plain = (entries: readonly HistoryEntry[] | null) =>
  entries?.map((e) => ({ ...e, payload: Array.from(e.payload) })) ?? null;

t.test(
  'room history - matches a plain-array model through arena growth and wrap-around (property)',
  async (t) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 6000 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 7000 })), {
          maxLength: 400,
        }),
        fc.integer({ min: 0, max: 20 }),
        (maxMessages, maxBytes, sizes, sinceBack) => {
          const history = new RoomHistory({ maxMessages, maxBytes });
          const model = new ReferenceHistory(maxMessages, maxBytes);
          let offset = 0;
          for (const size of sizes) {
            offset++;
            const e = {
              offset,
              ts: offset * 1.5,
              senderConn: offset % 7,
              payload: patterned(offset, size),
            };
            history.append(e);
            model.append(e);
            if (history.size !== model.kept.length || history.bytes !== model.bytes) return false;
            if (
              history.arenaCapacity > Math.max(maxBytes, 0) ||
              history.arenaCapacity < history.bytes
            )
              return false;
          }
          t.same(plain(history.entries()), plain(model.kept));
          const since = Math.max(0, offset - sinceBack);
          const first = model.kept[0]?.offset;
          const expected =
            since >= offset
              ? []
              : first === undefined || since + 1 < first
                ? null
                : model.kept.filter((e) => e.offset > since);
          t.same(plain(history.after(since, offset)), plain(expected));
          return true;
        },
      ),
      { numRuns: 300 },
    );
  },
);

t.test('room history - wraps payloads across the arena end many times', async (t) => {
  // 4 KiB arena budget, 700-byte-ish payloads: nearly every few appends cross the wrap point.
  const history = new RoomHistory({ maxMessages: 1000, maxBytes: 4096 });
  const model = new ReferenceHistory(1000, 4096);
  for (let o = 1; o <= 500; o++) {
    const e = { offset: o, ts: o, senderConn: o, payload: patterned(o, 500 + ((o * 37) % 400)) };
    history.append(e);
    model.append(e);
  }
  t.equal(history.arenaCapacity, 4096, 'grew to the budget and no further');
  t.same(plain(history.entries()), plain(model.kept), 'entries() after wrap');
  t.same(plain(history.after(495, 500)), plain(model.kept.slice(-5)));
});

t.test('room history - starts small and grows by doubling as messages come', async (t) => {
  const history = new RoomHistory();
  t.equal(history.arenaCapacity, 0, 'nothing allocated before the first message');
  history.append(entry(1, 100));
  t.equal(history.arenaCapacity, 4096);
  for (let o = 2; o <= 60; o++) history.append(entry(o, 100));
  t.equal(history.arenaCapacity, 8192, 'doubled once for 6000 bytes');
  history.append(entry(61, 20_000));
  t.equal(history.arenaCapacity, 32768, 'doubled until the large payload fits');
  t.same(
    history.entries().map((e) => e.offset),
    Array.from({ length: 61 }, (_, i) => i + 1),
  );
});

t.test(
  'room history - replayed payloads are copies that later appends do not change',
  async (t) => {
    const history = new RoomHistory({ maxMessages: 4, maxBytes: 64 });
    const source = patterned(1, 16);
    history.append({ offset: 1, ts: 1, senderConn: 1, payload: source });
    source.fill(0);
    const [first] = history.entries();
    t.same(Array.from(first?.payload ?? []), Array.from(patterned(1, 16)), 'copied on append');
    const replay = history.after(0, 1);
    for (let o = 2; o <= 40; o++)
      history.append({ offset: o, ts: o, senderConn: 1, payload: patterned(o, 16) });
    t.same(Array.from(first?.payload ?? []), Array.from(patterned(1, 16)), 'entries() copy kept');
    t.same(
      Array.from(replay?.[0]?.payload ?? []),
      Array.from(patterned(1, 16)),
      'after() copy kept',
    );
    t.not(first?.payload.buffer, replay?.[0]?.payload.buffer, 'each entry has its own bytes');
  },
);

t.test(
  'room history - keeps nothing with maxMessages 0 and keeps empty payloads with maxBytes 0',
  async (t) => {
    const none = new RoomHistory({ maxMessages: 0 });
    none.append(entry(1));
    t.equal(none.size, 0);
    t.equal(none.after(0, 1), null);
    const empty = new RoomHistory({ maxMessages: 3, maxBytes: 0 });
    for (let o = 1; o <= 5; o++) empty.append(entry(o, 0));
    t.same(
      empty.entries().map((e) => [e.offset, e.payload.byteLength]),
      [
        [3, 0],
        [4, 0],
        [5, 0],
      ],
    );
    empty.append(entry(6, 1));
    t.equal(empty.size, 0, 'a byte over a zero budget clears');
  },
);

t.test(
  'room history - restarts the window at an offset that does not follow the newest',
  async (t) => {
    const history = new RoomHistory({ maxMessages: 10 });
    for (let o = 1; o <= 3; o++) history.append(entry(o));
    history.append(entry(9));
    t.same(
      history.entries().map((e) => e.offset),
      [9],
    );
    t.equal(history.after(3, 9), null, 'the gap is reported, not replayed as wrong offsets');
  },
);

const NO_LIMITS = { limit: 1000, maxBytes: 1 << 30, minTs: 0 };
const offsets = (page: { entries: readonly HistoryEntry[] } | null) =>
  page === null ? null : page.entries.map((e) => e.offset);

t.test('room history - pages after an offset by limit, with more', async (t) => {
  const history = new RoomHistory({ maxMessages: 10 });
  for (let o = 1; o <= 6; o++) history.append(entry(o));
  const page = history.pageAfter(1, 6, { ...NO_LIMITS, limit: 2 });
  t.same(offsets(page), [2, 3]);
  t.equal(page?.more, true, 'offsets 4..6 are newer');
  const last = history.pageAfter(3, 6, { ...NO_LIMITS, limit: 3 });
  t.same(offsets(last), [4, 5, 6]);
  t.equal(last?.more, false, 'exactly the rest');
  t.same(history.pageAfter(6, 6, NO_LIMITS), { entries: [], more: false }, 'nothing newer');
  for (let o = 7; o <= 12; o++) history.append(entry(o));
  t.equal(history.pageAfter(1, 12, NO_LIMITS), null, 'offset 2 was evicted');
  t.same(offsets(history.pageAfter(2, 12, { ...NO_LIMITS, limit: 1 })), [3]);
});

t.test('room history - pages from a time, null when a wanted one may be gone', async (t) => {
  const history = new RoomHistory({ maxMessages: 4 });
  t.same(history.pageFromTime(0, 0, NO_LIMITS), { entries: [], more: false });
  for (let o = 1; o <= 4; o++) history.append(entry(o));
  const page = history.pageFromTime(15, 4, { ...NO_LIMITS, limit: 2 });
  t.same(offsets(page), [2, 3], 'ts 20 and 30');
  t.equal(page?.more, true);
  t.same(offsets(history.pageFromTime(0, 4, NO_LIMITS)), [1, 2, 3, 4], 'nothing was evicted');
  t.same(history.pageFromTime(41, 4, NO_LIMITS), { entries: [], more: false });
  history.append(entry(5));
  t.equal(history.pageFromTime(20, 5, NO_LIMITS), null, 'an evicted one may share ts 20');
  t.same(offsets(history.pageFromTime(21, 5, NO_LIMITS)), [3, 4, 5]);
});

t.test('room history - pages before an offset and the latest, newest first by limit', async (t) => {
  const history = new RoomHistory({ maxMessages: 10 });
  t.same(history.latest(NO_LIMITS), { entries: [], more: false }, 'an empty room');
  t.same(history.pageBefore(5, 0, NO_LIMITS), { entries: [], more: false }, 'nothing published');
  for (let o = 1; o <= 8; o++) history.append(entry(o));
  const latest = history.latest({ ...NO_LIMITS, limit: 3 });
  t.same(offsets(latest), [6, 7, 8], 'oldest first');
  t.equal(latest.more, true, 'older ones kept');
  const before = history.pageBefore(6, 8, { ...NO_LIMITS, limit: 3 });
  t.same(offsets(before), [3, 4, 5]);
  t.equal(before?.more, true);
  const first = history.pageBefore(3, 8, { ...NO_LIMITS, limit: 3 });
  t.same(offsets(first), [1, 2]);
  t.equal(first?.more, false, 'offset 1 is the oldest');
  t.same(history.pageBefore(1, 8, NO_LIMITS), { entries: [], more: false }, 'nothing before 1');
  t.same(offsets(history.pageBefore(100, 8, { ...NO_LIMITS, limit: 2 })), [7, 8], 'past the end');
  t.equal(history.latest(NO_LIMITS).more, false, 'all of them');
  for (let o = 9; o <= 14; o++) history.append(entry(o));
  t.equal(history.pageBefore(5, 14, NO_LIMITS), null, 'offsets 1..4 were all evicted');
  const partial = history.pageBefore(7, 14, NO_LIMITS);
  t.same(offsets(partial), [5, 6], 'what is kept of them');
  t.equal(partial?.more, false);
});

t.test('room history - a page stops at its byte budget, but holds at least one', async (t) => {
  const history = new RoomHistory({ maxMessages: 10, maxBytes: 1000 });
  for (let o = 1; o <= 5; o++) history.append(entry(o, 100));
  const forward = history.pageAfter(0, 5, { ...NO_LIMITS, maxBytes: 250 });
  t.same(offsets(forward), [1, 2]);
  t.equal(forward?.more, true);
  const backward = history.latest({ ...NO_LIMITS, maxBytes: 250 });
  t.same(offsets(backward), [4, 5]);
  t.equal(backward.more, true);
  t.same(offsets(history.latest({ ...NO_LIMITS, maxBytes: 10 })), [5], 'one over the budget');
  t.same(offsets(history.pageAfter(0, 5, { ...NO_LIMITS, maxBytes: 10 })), [1]);
});

t.test('room history - messages older than minTs count as gone', async (t) => {
  const history = new RoomHistory({ maxMessages: 10 });
  for (let o = 1; o <= 5; o++) history.append(entry(o)); // ts 10..50
  const limits = { ...NO_LIMITS, minTs: 25 };
  t.same(offsets(history.latest(limits)), [3, 4, 5]);
  t.equal(history.latest(limits).more, false, 'offsets 1 and 2 expired');
  t.equal(history.pageAfter(1, 5, limits), null, 'offset 2 expired');
  t.same(offsets(history.pageAfter(2, 5, limits)), [3, 4, 5]);
  t.equal(history.pageBefore(3, 5, limits), null, 'all before 3 expired');
  t.same(offsets(history.pageBefore(5, 5, limits)), [3, 4]);
  t.equal(history.pageFromTime(15, 5, limits), null, 'ts 20 expired');
  t.same(offsets(history.pageFromTime(21, 5, limits)), [3, 4, 5], 'the expired are before it');
  const all = { ...NO_LIMITS, minTs: 100 };
  t.same(history.latest(all), { entries: [], more: false }, 'everything expired');
  t.equal(history.pageAfter(0, 5, all), null);
  t.same(history.pageFromTime(60, 5, all), { entries: [], more: false });
});

t.test('room history - pages agree with after() on random windows', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 45 }),
      fc.integer({ min: 1, max: 25 }),
      (maxMessages, published, offset, limit) => {
        const history = new RoomHistory({ maxMessages });
        for (let o = 1; o <= published; o++) history.append(entry(o));
        const all = history.after(offset, published);
        const page = history.pageAfter(offset, published, { ...NO_LIMITS, limit });
        if (all === null) return page === null;
        const want = all.slice(0, limit).map((e) => e.offset);
        return (
          page !== null &&
          JSON.stringify(offsets(page)) === JSON.stringify(want) &&
          page.more === all.length > limit
        );
      },
    ),
  );
  t.pass('pageAfter = after() cut at the limit');
});

t.test('room history - expireBefore evicts the messages stored before a time', async (t) => {
  const history = new RoomHistory({ maxMessages: 10 });
  for (let o = 1; o <= 5; o++) history.append(entry(o));
  history.expireBefore(30); // ts 10 and 20 go
  t.equal(history.size, 3);
  t.same(
    history.entries().map((e) => e.offset),
    [3, 4, 5],
  );
  t.equal(history.after(1, 5), null, 'a resume from before the expired ones is not recovered');
  t.same(
    history.after(2, 5)?.map((e) => e.offset),
    [3, 4, 5],
  );
  history.expireBefore(1000);
  t.equal(history.size, 0, 'all expired');
  history.append(entry(6));
  t.same(
    history.entries().map((e) => e.offset),
    [6],
    'appends go on after',
  );
});

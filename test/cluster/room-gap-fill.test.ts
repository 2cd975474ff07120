/**
 * RoomGapFill on its own: the owner's side is a real RoomHistory window (what a room actor pages
 * its `history` answers from), answered a turn later as over NATS; the edge is the list of what
 * was handed on, with the callbacks (join, leave, publish answers) as markers in between.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { type HistoryAnswer, type HistoryQuery, RoomHistory } from '../../actors/index.js';
import {
  type ClusterLogEvent,
  newRoomRouteCounters,
  RoomGapFill,
} from '../../src/cluster/index.js';
import type { ShardDelivery } from '../../src/shard/index.js';

const ROOM = 'acme|lobby';

function delivery(offset: number, epoch = 'e1', direct = false): ShardDelivery {
  return {
    roomKey: ROOM,
    offset,
    epoch,
    ts: offset,
    ingressTs: offset,
    connId: 0,
    echo: true,
    direct,
    body: new Uint8Array([offset & 0xff]),
  };
}

/** The owner: a room's window, its epoch and last offset; `down` answers every read with an error. */
class Owner {
  readonly history = new RoomHistory();
  epoch = 'e1';
  offset = 0;
  down = false;
  reads: HistoryQuery[] = [];

  publish(): ShardDelivery {
    this.offset += 1;
    const d = delivery(this.offset, this.epoch);
    this.history.append({ offset: d.offset, ts: d.ts, senderConn: 0, payload: d.body });
    return d;
  }

  fetch = (
    _roomKey: string,
    query: HistoryQuery,
    done: (error: Error | null, answer: HistoryAnswer | null) => void,
  ): void => {
    this.reads.push(query);
    setImmediate(() => {
      if (this.down) return done(new Error('no responders'), null);
      const since = query.since as { epoch: string; offset: number };
      const page =
        since.epoch === this.epoch
          ? this.history.pageAfter(since.offset, this.offset, {
              limit: query.limit,
              maxBytes: 1 << 20,
              minTs: 0,
            })
          : null;
      done(null, {
        epoch: this.epoch,
        offset: this.offset,
        entries: page?.entries ?? [],
        more: page?.more ?? false,
        recovered: page !== null,
      });
    });
  };
}

function setup(options: { attempts?: number; maxHeld?: number } = {}) {
  const owner = new Owner();
  const edge: string[] = [];
  const logs: ClusterLogEvent[] = [];
  const counters = newRoomRouteCounters();
  const gaps = new RoomGapFill({
    fetch: owner.fetch,
    deliver: (d) => edge.push(d.direct ? `direct ${d.offset}` : `${d.epoch}:${d.offset}`),
    flush: () => {},
    log: (event) => logs.push(event),
    counters,
    retryMs: 1,
    ...options,
  });
  const marker = (name: string) => () => edge.push(name);
  return { owner, edge, logs, counters, gaps, marker };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await sleep(2);
};

t.test('room gap fill - a jump is filled from the owner before what comes after it', async (t) => {
  const { owner, edge, counters, gaps, marker } = setup();
  gaps.remote(owner.publish()); // 1
  owner.publish(); // 2: lost
  owner.publish(); // 3: lost
  gaps.remote(owner.publish()); // 4 shows the gap
  gaps.after(ROOM, marker('publish answer'));
  gaps.direct(delivery(1, 'e1', true), false);
  gaps.remote(owner.publish()); // 5, held
  t.same(edge, ['e1:1'], 'what follows the gap waits');
  t.equal(gaps.filling, 1);
  await until(() => gaps.filling === 0);
  t.same(edge, ['e1:1', 'e1:2', 'e1:3', 'e1:4', 'publish answer', 'direct 1', 'e1:5']);
  t.match(owner.reads, [{ since: { epoch: 'e1', offset: 1 }, limit: 2 }], 'one read, after 1');
  t.match(counters, { gapsFound: 1, gapFilled: 2, gapsUnfilled: 0 });
  gaps.remote(delivery(5));
  gaps.remote(delivery(3));
  t.equal(edge.length, 7, 'a late duplicate is dropped');
  t.equal(counters.gapDuplicates, 2);
  t.same(gaps.position(ROOM), { epoch: 'e1', offset: 5 });
});

t.test('room gap fill - a join answered past this node fills for the members here', async (t) => {
  const { owner, edge, gaps, marker } = setup();
  gaps.joined(ROOM, { epoch: 'e1', offset: 0, replayed: false, members: 0 }, true, marker('j1'));
  gaps.remote(owner.publish());
  owner.publish(); // lost
  gaps.joined(ROOM, { epoch: 'e1', offset: 2, replayed: false, members: 1 }, true, marker('j2'));
  t.same(edge, ['j1', 'e1:1'], 'the second joiner waits for the fill');
  await until(() => gaps.filling === 0);
  t.same(edge, ['j1', 'e1:1', 'e1:2', 'j2'], 'it subscribes after what preceded its join');

  // No member here yet (a first join), or each restored member gets its own replay: no fill.
  const other = setup();
  other.owner.offset = 5;
  other.gaps.remote(delivery(3));
  other.gaps.joined(ROOM, { epoch: 'e1', offset: 5, replayed: false, members: 0 }, true, () => {});
  other.gaps.joined(ROOM, { epoch: 'e1', offset: 7, replayed: true, members: 2 }, true, () => {});
  t.equal(other.gaps.filling, 0);
  t.same(other.gaps.position(ROOM), { epoch: 'e1', offset: 7 });
  t.same(other.owner.reads, []);
});

t.test(
  'room gap fill - another epoch starts over; a local room skips without a fill',
  async (t) => {
    const { owner, edge, gaps } = setup();
    gaps.remote(delivery(4));
    gaps.remote(delivery(1, 'e2'));
    gaps.remote(delivery(2, 'e2'));
    t.same(edge, ['e1:4', 'e2:1', 'e2:2']);
    // The room moved here: the first local delivery past a gap still fills, later ones never do.
    owner.epoch = 'e2';
    owner.offset = 2;
    owner.publish();
    owner.publish();
    owner.publish();
    gaps.local(delivery(5, 'e2'), true);
    await until(() => gaps.filling === 0);
    t.same(edge.slice(3), ['e2:3', 'e2:4', 'e2:5']);
    gaps.local(delivery(9, 'e2'), true);
    t.same(edge.slice(6), ['e2:9'], 'owned here: a skip is a shard restart, replayed per member');
    t.equal(owner.reads.length, 1);
  },
);

t.test('room gap fill - a fill that cannot be made is given up and logged', async (t) => {
  const { owner, edge, logs, counters, gaps, marker } = setup({ attempts: 3 });
  gaps.remote(owner.publish());
  owner.publish();
  gaps.remote(owner.publish());
  owner.down = true;
  gaps.after(ROOM, marker('answer'));
  await until(() => gaps.filling === 0);
  t.equal(owner.reads.length, 3, 'tried three times');
  t.same(edge, ['e1:1', 'e1:3', 'answer'], 'the room goes on without it');
  t.match(logs, [{ type: 'gap_unfilled', roomKey: ROOM, after: 1, upTo: 2 }]);
  t.equal(counters.gapsUnfilled, 1);

  // The owner no longer has them (another epoch): given up at once.
  owner.down = false;
  owner.epoch = 'e9';
  gaps.remote(delivery(6));
  await until(() => gaps.filling === 0);
  t.same(edge.slice(3), ['e1:6']);
  t.equal(owner.reads.length, 4);
  t.equal(counters.gapsUnfilled, 2);
});

t.test('room gap fill - too much held gives the gap up; forget runs what is held', async (t) => {
  const { owner, edge, gaps } = setup({ maxHeld: 3 });
  gaps.remote(owner.publish());
  owner.publish();
  gaps.remote(owner.publish()); // 3: held
  gaps.remote(delivery(4)); // held
  gaps.remote(delivery(5)); // held
  t.equal(gaps.filling, 1);
  gaps.remote(delivery(6)); // one too many
  t.equal(gaps.filling, 0);
  t.same(edge, ['e1:1', 'e1:3', 'e1:4', 'e1:5', 'e1:6']);
  await sleep(10);
  t.equal(edge.length, 5, 'the late answer of the given-up read brings nothing');

  const other = setup();
  other.gaps.remote(delivery(1));
  other.gaps.remote(delivery(3));
  other.gaps.after(ROOM, other.marker('leave answer'));
  other.gaps.forget(ROOM);
  t.same(other.edge, ['e1:1', 'e1:3', 'leave answer'], 'nothing waits on a room gone from here');
  t.equal(other.gaps.size, 0);
});

t.test('room gap fill - the position check fills a lost last message', async (t) => {
  const { owner, edge, gaps } = setup();
  gaps.remote(owner.publish());
  owner.publish(); // lost, nothing after it
  gaps.check();
  await until(() => edge.length === 2);
  t.same(edge, ['e1:1', 'e1:2']);
  t.match(owner.reads, [{ limit: 1 }, { since: { offset: 1 } }]);
  gaps.check();
  await sleep(10);
  t.equal(edge.length, 2, 'nothing more when the position is the owner’s');
});

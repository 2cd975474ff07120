import t from 'tap';
import { type LaneJob, RoomLanes } from '../../src/cluster/index.js';
import { sleep } from './fixtures/cluster-fixtures.js';

interface Job extends LaneJob {
  readonly name: string;
}

/** Lanes over a fake network: `owner` is the ring, `answer` answers the oldest request of a node. */
function harness(timeoutMs = 10_000) {
  let owner = 'x';
  const sent: { job: Job; target: string; answered: (retry: boolean) => void }[] = [];
  const local: string[] = [];
  const failed: string[] = [];
  const lanes = new RoomLanes<Job>({
    self: 'me',
    ownerOf: () => owner,
    local: (job) => local.push(job.name),
    remote: (job, target, answered) => sent.push({ job, target, answered }),
    retryMs: 10,
    timeoutMs,
    expired: () => new RangeError('expired'),
    stopped: () => new RangeError('stopped'),
  });
  const job = (name: string, firstAt = performance.now()): Job => ({
    roomKey: 'acme|r',
    firstAt,
    name,
    fail: () => failed.push(name),
  });
  /** Answers the request of `name` (the last one sent under that name). */
  const answer = (name: string, retry: boolean): void => {
    const entry = sent.findLast((s) => s.job.name === name);
    if (entry === undefined) throw new RangeError(`${name} was not sent`);
    entry.answered(retry);
  };
  return {
    lanes,
    sent,
    local,
    failed,
    job,
    answer,
    setOwner: (node: string) => {
      owner = node;
    },
  };
}

const order = (sent: { job: Job; target: string }[]): string[] =>
  sent.map((s) => `${s.job.name}@${s.target}`);

t.test('room lanes - requests to one owner flow without waiting', async (t) => {
  const h = harness();
  h.lanes.submit(h.job('p1'));
  h.lanes.submit(h.job('p2'));
  t.same(order(h.sent), ['p1@x', 'p2@x'], 'both out at once');
  h.answer('p1', false);
  h.answer('p2', false);
  t.equal(h.lanes.size, 0, 'no lane once everything is answered');
  h.setOwner('me');
  h.lanes.submit(h.job('p3'));
  t.same(h.local, ['p3'], 'a room owned here goes straight to the shards');
});

t.test('room lanes - a request retried after NOT_OWNER stays before later ones', async (t) => {
  const h = harness();
  h.lanes.submit(h.job('p1'));
  h.setOwner('y'); // the ring moved the room while p1 is out
  h.lanes.submit(h.job('p2'));
  h.lanes.submit(h.job('p3'));
  t.same(order(h.sent), ['p1@x'], 'later requests to the new owner wait behind p1');
  h.answer('p1', true); // x: NOT_OWNER
  t.same(order(h.sent), ['p1@x'], 'nothing goes at once: the retry waits its pause');
  await sleep(30);
  t.same(order(h.sent), ['p1@x', 'p1@y', 'p2@y', 'p3@y'], 'then all, in the order they came');
  h.answer('p1', false);
  h.answer('p2', false);
  h.answer('p3', false);
  t.equal(h.lanes.size, 0);
});

t.test('room lanes - NOT_OWNER on several in flight keeps their order', async (t) => {
  const h = harness();
  for (const name of ['p1', 'p2', 'p3']) h.lanes.submit(h.job(name));
  h.setOwner('me');
  h.answer('p2', true);
  h.answer('p1', true);
  h.answer('p3', false); // answered by x before it let go
  h.lanes.submit(h.job('p4'));
  await sleep(30);
  t.same(h.local, ['p1', 'p2', 'p4'], 'p1 and p2 again, then p4, here: the room is ours now');
});

t.test('room lanes - retries end with the budget; close fails what waits', async (t) => {
  const h = harness(50);
  h.lanes.submit(h.job('old', performance.now() - 100));
  h.answer('old', true);
  t.same(h.failed, ['old'], 'past its budget: failed, not retried');
  h.lanes.submit(h.job('p1'));
  h.setOwner('y');
  h.lanes.submit(h.job('p2'));
  h.lanes.close();
  t.same(h.failed, ['old', 'p2'], 'the waiting one fails at close');
  h.answer('p1', true);
  t.same(h.failed, ['old', 'p2', 'p1'], 'one in flight fails when it comes back for a retry');
});

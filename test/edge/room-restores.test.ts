import t from 'tap';
import type { ResumeFrom } from '../../actors/index.js';
import {
  RESTORE_RETRY_MIN_MS,
  type RestorableMember,
  RoomRestores,
} from '../../src/edge/room-restores.js';
import { sleep, waitFor } from '../helpers/wait-for.js';

class CodedError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** A member whose restore joins are answered, one by one, from a script of outcomes. */
class ScriptedMember implements RestorableMember {
  readonly asked: (ResumeFrom | null)[] = [];
  member = true;

  constructor(readonly outcomes: (string | null)[]) {}

  restore(_roomKey: string, since: ResumeFrom | null, done: (error: Error | null) => void) {
    if (!this.member) return false;
    this.asked.push(since);
    const outcome = this.outcomes.shift() ?? null;
    setImmediate(() => done(outcome === null ? null : new CodedError(outcome)));
    return true;
  }
}

const since = { epoch: 'E', offset: 16 };

t.test('room restores - a refused restore is asked again, with the same position', async (t) => {
  const restores = new RoomRestores();
  t.teardown(() => restores.close());
  const member = new ScriptedMember(['ARQ_ERR_ROOM_OVERLOADED', 'ARQ_ERR_RING_FULL', null]);
  restores.restore(1, member, 't1|d.a', since);
  await waitFor(() => restores.pending === 0, 'the restore chain ends', 5_000);
  t.same(member.asked, [since, since, since], 'asked three times, from the same position');
});

t.test('room restores - a shard down or a timeout is not asked again', async (t) => {
  for (const code of ['ARQ_ERR_SHARD_DOWN', 'ARQ_ERR_SHARD_TIMEOUT']) {
    const restores = new RoomRestores();
    const member = new ScriptedMember([code]);
    restores.restore(1, member, 't1|d.a', since);
    await waitFor(() => restores.pending === 0, 'the restore chain ends', 5_000);
    await sleep(RESTORE_RETRY_MIN_MS * 2);
    t.equal(member.asked.length, 1, `${code}: asked once`);
    restores.close();
  }
});

t.test('room restores - a newer restore replaces the waiting one', async (t) => {
  const restores = new RoomRestores();
  t.teardown(() => restores.close());
  const member = new ScriptedMember(['ARQ_ERR_ROOM_OVERLOADED', null]);
  restores.restore(1, member, 't1|d.a', since);
  await waitFor(() => member.asked.length === 1, 'the first try', 5_000);
  await sleep(10); // refused: now waiting for its retry
  const later = { epoch: 'E', offset: 20 };
  restores.restore(1, member, 't1|d.a', later);
  await waitFor(() => restores.pending === 0, 'the restore chain ends', 5_000);
  await sleep(RESTORE_RETRY_MIN_MS * 2);
  t.same(member.asked, [since, later], 'the old chain asked no more after the new one');
});

t.test('room restores - a member that left or closed is not asked again', async (t) => {
  const restores = new RoomRestores();
  t.teardown(() => restores.close());
  const member = new ScriptedMember(['ARQ_ERR_ROOM_OVERLOADED']);
  restores.restore(1, member, 't1|d.a', since);
  await waitFor(() => member.asked.length === 1, 'the first try', 5_000);
  member.member = false;
  await waitFor(() => restores.pending === 0, 'the chain ends at the retry', 5_000);
  t.equal(member.asked.length, 1);
});

t.test('room restores - close stops every waiting retry', async (t) => {
  const restores = new RoomRestores();
  const member = new ScriptedMember(['ARQ_ERR_ROOM_OVERLOADED', null]);
  restores.restore(1, member, 't1|d.a', since);
  await waitFor(() => member.asked.length === 1, 'the first try', 5_000);
  await sleep(10);
  restores.close();
  t.equal(restores.pending, 0);
  await sleep(RESTORE_RETRY_MIN_MS * 2);
  t.equal(member.asked.length, 1, 'no retry after close');
  restores.restore(2, member, 't1|d.a', since);
  t.equal(member.asked.length, 1, 'a closed RoomRestores starts nothing');
});

import t from 'tap';
import { RoomOps } from '../../../actors/connection/room-ops.js';

t.test('room ops - later ops of a room wait for the one in flight, in order', async (t) => {
  const ops = new RoomOps();
  const ran: string[] = [];
  t.equal(ops.size, 0);
  t.notOk(
    ops.defer('t.a', () => ran.push('early')),
    'nothing in flight: run now',
  );
  t.notOk(ops.has('t.a'));
  ops.start('t.a', () => ran.push('join'));
  t.equal(ops.size, 1);
  t.ok(ops.has('t.a'), 'in flight');
  t.notOk(ops.has('t.b'));
  t.ok(ops.defer('t.a', () => ran.push('leave')));
  t.ok(ops.defer('t.a', () => ran.push('join again')));
  t.notOk(
    ops.defer('t.b', () => {}),
    'another room is not held up',
  );
  const waiting = ops.settle('t.a');
  t.equal(ops.size, 0, 'settled: nothing in flight');
  t.notOk(ops.has('t.a'));
  ops.resume('t.a', waiting, () => true);
  t.same(ran, ['join', 'leave', 'join again']);
});

t.test('room ops - a waiting op that starts again holds the rest back', async (t) => {
  const ops = new RoomOps();
  const ran: string[] = [];
  ops.start('t.a', () => {});
  ops.defer('t.a', () => {
    ran.push('second');
    ops.start('t.a', () => {});
  });
  ops.defer('t.a', () => ran.push('third'));
  ops.resume('t.a', ops.settle('t.a'), () => true);
  t.same(ran, ['second'], 'third waits for second');
  t.equal(ops.size, 1);
  ops.resume('t.a', ops.settle('t.a'), () => true);
  t.same(ran, ['second', 'third']);
  t.equal(ops.size, 0);
});

t.test('room ops - a send that throws is undone; clear forgets everything', async (t) => {
  const ops = new RoomOps();
  t.throws(() =>
    ops.start('t.a', () => {
      throw new Error('ring full');
    }),
  );
  t.equal(ops.size, 0);
  t.notOk(ops.defer('t.a', () => {}));
  ops.start('t.a', () => {});
  ops.start('t.b', () => {});
  t.equal(ops.size, 2);
  ops.clear();
  t.equal(ops.size, 0);
  t.same(ops.settle('t.a'), [], 'a late answer after clear finds nothing waiting');
  ops.start('t.c', () => {});
  ops.defer('t.c', () => t.fail('must not run once the connection is closed'));
  ops.resume('t.c', ops.settle('t.c'), () => false);
});

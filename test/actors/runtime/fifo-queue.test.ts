import fc from 'fast-check';
import t from 'tap';
import { FifoQueue } from '../../../actors/runtime/index.js';

t.test('fifo-queue - keeps FIFO order through growth, wrap-around and shrinking', async (t) => {
  const q = new FifoQueue<number>();
  let next = 0;
  let expected = 0;
  // Interleave pushes and shifts so the head wraps while the ring grows and later shrinks.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 37; i++) q.push(next++);
    for (let i = 0; i < 20; i++) t.equal(q.shift(), expected++);
  }
  t.equal(q.length, next - expected);
  while (q.length > 0) t.equal(q.shift(), expected++);
  t.equal(expected, next);
  t.equal(q.shift(), undefined);
  t.equal(q.peek(), undefined);
});

t.test('fifo-queue - behaves like an array used as a queue (property)', async (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(fc.integer(), fc.constant<'shift'>('shift'), fc.constant<'clear'>('clear')),
        {
          maxLength: 2000,
        },
      ),
      (ops) => {
        const q = new FifoQueue<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op === 'shift') {
            if (q.shift() !== model.shift()) return false;
          } else if (op === 'clear') {
            q.clear();
            model.length = 0;
          } else {
            q.push(op);
            model.push(op);
          }
          if (q.length !== model.length || q.peek() !== model[0]) return false;
        }
        return true;
      },
    ),
  );
  t.pass('matches the model');
});

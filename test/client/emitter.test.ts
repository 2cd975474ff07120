import t from 'tap';
import { Emitter } from '../../src/client/emitter.js';

type Events = { tick: [number]; done: [] };

t.test('emitter - listeners get the arguments; on returns the remover', async (t) => {
  const events = new Emitter<Events>();
  const got: number[] = [];
  const off = events.on('tick', (n) => got.push(n));
  events.on('tick', (n) => got.push(n * 10));
  events.emit('tick', 1);
  off();
  events.emit('tick', 2);
  events.emit('done');
  t.same(got, [1, 10, 20]);
  t.equal(events.listenerCount('tick'), 1);
  t.equal(events.listenerCount('done'), 0);
});

t.test('emitter - a listener removing itself does not skip the others', async (t) => {
  const events = new Emitter<Events>();
  const got: string[] = [];
  const once = (): void => {
    got.push('once');
    events.off('done', once);
  };
  events.on('done', once);
  events.on('done', () => got.push('always'));
  events.emit('done');
  events.emit('done');
  t.same(got, ['once', 'always', 'always']);
});

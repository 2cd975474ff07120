import t from 'tap';
import { DeliveredPositions } from '../../src/edge/delivered-positions.js';

t.test(
  'delivered positions - the last fan-out of a room is its members resume point',
  async (t) => {
    const positions = new DeliveredPositions();
    t.equal(positions.of('t1|a'), null, 'nothing delivered yet');
    positions.delivered('t1|a', 'E1', 1, 3);
    positions.delivered('t1|a', 'E1', 2, 3);
    t.same(positions.of('t1|a'), { epoch: 'E1', offset: 2 });
    positions.delivered('t1|a', 'E2', 1, 1);
    t.same(positions.of('t1|a'), { epoch: 'E2', offset: 1 }, 'a new epoch replaces the old');
    positions.delivered('t1|b', 'X', 5, 2);
    t.equal(positions.size, 2);
    positions.delivered('t1|a', 'E2', 2, 0);
    t.equal(positions.of('t1|a'), null, 'a room without local members is forgotten');
    t.equal(positions.size, 1);
  },
);

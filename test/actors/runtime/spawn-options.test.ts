import t from 'tap';
import { ActorSystem, type SpawnOptions } from '../../../actors/runtime/index.js';
import { Recorder } from './fixtures/recorder.js';

t.test('spawn-options - bad values are refused at spawn, naming the option', async (t) => {
  const system = new ActorSystem();
  const cases: [unknown, RegExp][] = [
    [{ name: '' }, /options\.name must be a non-empty string/],
    [{ name: 3 }, /options\.name must be a non-empty string, got 3/],
    [{ mailboxCapacity: 0 }, /options\.mailboxCapacity must be a positive integer, got 0/],
    [{ trapExits: 'yes' }, /options\.trapExits must be a boolean, got "yes"/],
    [null, /options must be an object/],
  ];
  for (const [options, message] of cases) {
    t.throws(() => system.spawn(new Recorder(), options as SpawnOptions), {
      code: 'ARQ_ERR_INVALID_OPTION',
      message,
    });
  }
  t.equal(system.stats().actors, 0, 'nothing was spawned');
  await system.shutdown();
});

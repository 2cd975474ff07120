import { threadId } from 'node:worker_threads';
import t from 'tap';
import {
  ActorSystem,
  type ActorSystemOptions,
  DEFAULT_NODE,
} from '../../../actors/runtime/index.js';

t.test('system-options - defaults apply when options are left out', async (t) => {
  const system = new ActorSystem();
  t.equal(system.node, DEFAULT_NODE);
  t.equal(system.thread, threadId);
  t.same(system.address, { node: DEFAULT_NODE, thread: threadId, id: 0 });
  const named = new ActorSystem({ node: 'n1', thread: 7 });
  t.same([named.node, named.thread], ['n1', 7]);
});

t.test('system-options - bad values are refused at construction, naming the option', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ messagesPerTurn: 0 }, /options\.messagesPerTurn must be a positive integer, got 0/],
    [{ messagesPerTick: -1 }, /options\.messagesPerTick must be a positive integer, got -1/],
    [{ messagesPerTick: 2.5 }, /options\.messagesPerTick must be a positive integer, got 2\.5/],
    [{ node: '' }, /options\.node must be a non-empty string, got ""/],
    [{ thread: -1 }, /options\.thread must be a non-negative integer/],
    [{ askTimeoutMs: 0 }, /options\.askTimeoutMs must be above 0/],
    [{ askTimeoutMs: Number.POSITIVE_INFINITY }, /options\.askTimeoutMs must be a number/],
    [{ transport: {} }, /options\.transport must have a send method/],
    ['fast', /options must be an object/],
  ];
  for (const [options, message] of cases) {
    t.throws(() => new ActorSystem(options as ActorSystemOptions), {
      code: 'ARQ_ERR_INVALID_OPTION',
      message,
    });
  }
});

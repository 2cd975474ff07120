import { once } from 'node:events';
import { MessageChannel, threadId, Worker } from 'node:worker_threads';
import t from 'tap';
import { type ActorRef, ActorSystem, MessagePortTransport } from '../../../actors/runtime/index.js';
import type { ServiceRequest, WorkerReady } from './fixtures/port-worker.js';
import { Recorder } from './fixtures/recorder.js';
import { waitFor } from './fixtures/wait.js';

const NODE = 'node-x';

interface Setup {
  readonly system: ActorSystem;
  readonly transport: MessagePortTransport;
  readonly worker: Worker;
  readonly service: ActorRef;
}

/** A real worker thread with its own actor system, joined to a main-thread system by a port. */
async function setup(): Promise<Setup> {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./fixtures/port-worker.js', import.meta.url), {
    workerData: { port: port2, node: NODE, parent: { node: NODE, thread: threadId } },
    transferList: [port2],
    // The worker runs compiled JS and needs none of the test runner's loaders, which are slow to boot.
    execArgv: [],
  });
  const transport = new MessagePortTransport();
  const system = new ActorSystem({ node: NODE, transport });
  transport.connect({ node: NODE, thread: worker.threadId }, port1);
  const [ready] = (await once(worker, 'message')) as [WorkerReady];
  return { system, transport, worker, service: ready.service };
}

async function teardown({ system, transport, worker }: Setup): Promise<void> {
  await system.shutdown();
  transport.close();
  await worker.terminate();
}

function request(r: ServiceRequest): ServiceRequest {
  return r;
}

t.test('message-port-transport - tell and ask reach an actor on another thread', async (t) => {
  const s = await setup();
  t.equal(s.service.thread, s.worker.threadId);
  t.not(s.service.thread, threadId, 'the service lives on another thread');
  t.equal(await s.system.ask(s.service, request({ type: 'double', n: 21 })), 42);
  const answers = await Promise.all(
    [1, 2, 3].map((n) => s.system.ask(s.service, request({ type: 'double', n }))),
  );
  t.same(answers, [2, 4, 6]);
  t.throws(() => s.system.tell(s.service, { type: 'double', n: () => 1 }), {
    code: 'ARQ_ERR_UNSERIALIZABLE',
  });
  await teardown(s);
});

t.test('message-port-transport - the other thread asks back into this one', async (t) => {
  const s = await setup();
  const local = s.system.spawn(new Recorder({ onMessage: (m, ctx) => ctx.reply(`main got ${m}`) }));
  const answer = await s.system.ask(s.service, request({ type: 'relay', to: local, value: 'hi' }));
  t.equal(answer, 'relayed main got hi');
  await teardown(s);
});

t.test('message-port-transport - monitors work both ways across threads', async (t) => {
  const s = await setup();
  // Main watches the worker's service; the service watches a main-thread actor.
  const watcher = new Recorder({ started: (ctx) => void ctx.monitor(s.service) });
  await s.system.spawnHandle(watcher).started;
  const reports = new Recorder();
  const reportTo = s.system.spawn(reports);
  const watched = s.system.spawn(new Recorder());
  t.equal(
    await s.system.ask(s.service, request({ type: 'watch', ref: watched, reportTo })),
    'watching',
  );
  s.system.kill(watched);
  await waitFor(() => reports.seen.length === 1, 'the worker saw the main-thread death');
  t.match(reports.seen[0], {
    type: 'worker-saw',
    down: { type: 'down', ref: { id: watched.id, thread: threadId }, reason: { type: 'killed' } },
  });

  s.system.tell(s.service, request({ type: 'crash' }));
  await waitFor(() => watcher.seen.length === 1, 'the down from the worker');
  t.match(watcher.seen[0], {
    type: 'down',
    ref: { thread: s.worker.threadId, id: s.service.id, name: 'service' },
    reason: { type: 'error', error: { name: 'RangeError', message: 'worker service crashed' } },
  });
  await teardown(s);
});

t.test('message-port-transport - a terminated thread fires noconnection', async (t) => {
  const s = await setup();
  const watcher = new Recorder({ started: (ctx) => void ctx.monitor(s.service) });
  const trapper = new Recorder({ started: (ctx) => ctx.link(s.service) });
  const plain = s.system.spawnHandle(new Recorder({ started: (ctx) => ctx.link(s.service) }));
  await s.system.spawnHandle(watcher).started;
  await s.system.spawnHandle(trapper, { trapExits: true }).started;
  await plain.started;
  t.equal(await s.system.ask(s.service, request({ type: 'double', n: 1 })), 2, 'all set up');
  await s.worker.terminate();
  await waitFor(() => watcher.seen.length === 1 && trapper.seen.length === 1, 'signals');
  t.match(watcher.seen[0], { type: 'down', reason: { type: 'noconnection' } });
  t.match(trapper.seen[0], { type: 'exit', reason: { type: 'noconnection' } });
  t.match(await plain.exited, {
    type: 'error',
    error: { code: 'ARQ_ERR_LINKED_EXIT', cause: { type: 'noconnection' } },
  });
  await t.rejects(s.system.ask(s.service, request({ type: 'double', n: 1 })), {
    code: 'ARQ_ERR_NO_ROUTE',
  });
  await teardown(s);
});

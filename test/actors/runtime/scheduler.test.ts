import { readFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { type ActorContext, ActorSystem } from '../../../actors/runtime/index.js';
import { Recorder } from './fixtures/recorder.js';
import { waitFor } from './fixtures/wait.js';

t.test('scheduler - actors take turns of at most messagesPerTurn, round robin', async (t) => {
  const system = new ActorSystem({ messagesPerTurn: 3, messagesPerTick: 1000 });
  const log: string[] = [];
  const a = system.spawn(new Recorder({ onMessage: (m) => void log.push(`a${m}`) }));
  const b = system.spawn(new Recorder({ onMessage: (m) => void log.push(`b${m}`) }));
  for (let i = 0; i < 9; i++) {
    system.tell(a, i);
    system.tell(b, i);
  }
  await waitFor(() => log.length === 18, 'all messages');
  t.same(log, [
    ...['a0', 'a1', 'a2', 'b0', 'b1', 'b2'],
    ...['a3', 'a4', 'a5', 'b3', 'b4', 'b5'],
    ...['a6', 'a7', 'a8', 'b6', 'b7', 'b8'],
  ]);
  await system.shutdown();
});

t.test('scheduler - a tick handles at most messagesPerTick, then yields', async (t) => {
  const perTick = 10;
  const system = new ActorSystem({ messagesPerTurn: 4, messagesPerTick: perTick });
  const rec = new Recorder();
  const ref = system.spawn(rec);
  for (let i = 0; i < 200; i++) system.tell(ref, i);
  // An immediate that re-arms itself runs once per event-loop iteration, between scheduler ticks.
  const samples: number[] = [];
  await new Promise<void>((resolve) => {
    const sample = (): void => {
      samples.push(rec.seen.length);
      if (rec.seen.length === 200) resolve();
      else setImmediate(sample);
    };
    setImmediate(sample);
  });
  const steps = samples.slice(1).map((n, i) => n - (samples[i] ?? 0));
  t.ok(samples.length >= 200 / perTick, `the event loop ran between ticks (${samples.length})`);
  t.ok(
    steps.every((s) => s <= perTick),
    `never more than ${perTick} messages between two samples: ${steps.join(',')}`,
  );
  await system.shutdown();
});

t.test('scheduler - a flooded actor delays another actor by at most one turn', async (t) => {
  const perTurn = 8;
  const system = new ActorSystem({ messagesPerTurn: perTurn });
  let flooded = 0;
  let floodedWhenPinged = -1;
  const a = system.spawn(
    new Recorder({
      onMessage: () => {
        flooded++;
      },
    }),
  );
  const b = system.spawn(
    new Recorder({
      onMessage: () => {
        floodedWhenPinged = flooded;
      },
    }),
  );
  for (let i = 0; i < 50_000; i++) system.tell(a, i);
  await waitFor(() => flooded > 1000, 'the flood to be under way');
  const floodedAtTell = flooded;
  system.tell(b, 'ping');
  await waitFor(() => floodedWhenPinged >= 0, 'the ping');
  t.ok(flooded < 50_000, 'the flood was still going when the ping was handled');
  t.ok(
    floodedWhenPinged - floodedAtTell <= perTurn,
    `flooded actor handled ${floodedWhenPinged - floodedAtTell} messages before the ping`,
  );
  await system.shutdown();
});

t.test('scheduler - timers and I/O run while an actor keeps itself busy', async (t) => {
  const system = new ActorSystem();
  const limit = 20_000_000;
  let count = 0;
  let release = false;
  const spinner = system.spawn(
    new Recorder({
      onMessage: (_m, ctx: ActorContext) => {
        count++;
        // Without fair yielding the test's timer and socket would never get a turn: the actor
        // would reach `limit` first and the assertion below would fail.
        if (!release && count < limit) ctx.tell(ctx.self, 'spin');
      },
    }),
  );
  system.tell(spinner, 'spin');

  await sleep(5);
  const file = await readFile(fileURLToPath(import.meta.url), 'utf8');
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const echoed = await new Promise<string>((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1', () => socket.write('hello'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
  const countDuringIo = count;
  release = true;
  server.close();

  t.ok(file.length > 0, 'file read completed');
  t.equal(echoed, 'hello', 'TCP round trip completed');
  t.ok(
    countDuringIo > 0 && countDuringIo < limit,
    `the actor was running meanwhile (${countDuringIo})`,
  );
  await system.shutdown();
});

t.test(
  'scheduler - an actor resumes in the same tick when its async receive settles',
  async (t) => {
    const system = new ActorSystem({ messagesPerTick: 1000 });
    const rec = new Recorder({ onMessage: async () => {} });
    const ref = system.spawn(rec);
    await sleep(1);
    const ticksBefore = system.stats().ticks;
    for (let i = 0; i < 200; i++) system.tell(ref, i);
    await waitFor(() => rec.seen.length === 200, 'all messages');
    // One message per event-loop iteration would need 200 ticks.
    t.ok(
      system.stats().ticks - ticksBefore < 20,
      `ticks used: ${system.stats().ticks - ticksBefore}`,
    );
    await system.shutdown();
  },
);

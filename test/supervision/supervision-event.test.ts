import { spawnSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import t from 'tap';
import { SUPERVISION_CHANNEL, type SupervisionEvent, Supervisor } from '../../supervision/index.js';
import { TestFleet } from './fixtures/test-child.js';

t.test('supervision event - published on the channel only while someone subscribes', async (t) => {
  t.equal(SUPERVISION_CHANNEL, 'arqon:supervision');
  const fleet = new TestFleet();
  const published: SupervisionEvent[] = [];
  const onMessage = (message: unknown) => {
    const event = message as SupervisionEvent;
    if (event.supervisor === 'watched') published.push(event);
  };
  const supervisor = new Supervisor({
    name: 'watched',
    strategy: 'one_for_one',
    children: [fleet.spec('a')],
  });
  await supervisor.start(); // nobody listens yet
  subscribe(SUPERVISION_CHANNEL, onMessage);
  await supervisor.stop();
  unsubscribe(SUPERVISION_CHANNEL, onMessage);
  t.match(published, [
    { type: 'child_exited', supervisor: 'watched', id: 'a', reason: { type: 'shutdown' } },
    { type: 'supervisor_stopped', supervisor: 'watched', reason: { type: 'shutdown' } },
  ]);
  t.equal(published.length, 2, 'nothing from before the subscription');
});

t.test(
  'supervision event - a throwing onEvent surfaces as an uncaught error, not a broken supervisor',
  async (t) => {
    const index = new URL('../../supervision/index.js', import.meta.url).href;
    // A separate process, because the error is meant to be uncaught.
    const script = `
    import { Supervisor } from ${JSON.stringify(index)};
    const child = () => {
      let done;
      const exited = new Promise((r) => (done = r));
      return { exited, stop: () => done({ type: 'shutdown' }), kill: () => done({ type: 'killed' }) };
    };
    let thrown = false;
    const sup = new Supervisor({
      strategy: 'one_for_one',
      children: [{ id: 'a', start: async () => child() }, { id: 'b', start: async () => child() }],
      onEvent: (e) => { if (!thrown) { thrown = true; throw new Error('listener bug'); } },
    });
    const started = sup.start();
    process.on('uncaughtException', async (error) => {
      await started; // the supervisor carried on past the throwing listener
      console.log(JSON.stringify({ error: error.message, children: sup.which().map((c) => c.running) }));
      await sup.stop();
      console.log('stopped');
    });
  `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = result.stdout.trim().split('\n');
    t.same(JSON.parse(lines[0]!), { error: 'listener bug', children: [true, true] });
    t.equal(lines[1], 'stopped');
  },
);

import type { NatsConnection } from '@nats-io/transport-node';
import t from 'tap';
import { ReconnectChecks } from '../../src/cluster/routing/reconnect-checks.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { connectTo, eventually, sleep } from './fixtures/cluster-fixtures.js';

/** Counts the connection's reconnects (its own status iterator, beside the one under test). */
function reconnects(nc: NatsConnection): { readonly count: number } {
  const seen = { count: 0 };
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') seen.count += 1;
  })();
  return seen;
}

t.test(
  'reconnect-checks - a reconnect brings a check after 1 s and another after 5 s',
  async (t) => {
    const server = await startNatsServer();
    t.teardown(() => server.stop());
    const nc = await connectTo(server.url);
    t.teardown(() => nc.close());
    const seen = reconnects(nc);
    const checks: number[] = [];
    const rc = new ReconnectChecks({
      connection: nc,
      active: () => true,
      check: () => void checks.push(performance.now()),
    });
    rc.start();
    t.teardown(() => rc.close());
    await sleep(1_200);
    t.equal(checks.length, 0, 'no check without a reconnect');
    const before = performance.now();
    await server.restart();
    await eventually(() => seen.count === 1, 'the reconnect');
    await eventually(() => checks.length === 1, 'the first check');
    await eventually(() => checks.length === 2, 'the second check');
    // Timers never fire early; the reconnect came after `before`. 10 ms of slack for clock rounding.
    t.ok(checks[0] - before >= 990, `first check ${Math.round(checks[0] - before)} ms on`);
    t.ok(checks[1] - before >= 4_990, `second check ${Math.round(checks[1] - before)} ms on`);
  },
);

t.test('reconnect-checks - nothing is checked while inactive, or once closed', async (t) => {
  const server = await startNatsServer();
  t.teardown(() => server.stop());
  const nc = await connectTo(server.url);
  t.teardown(() => nc.close());
  const seen = reconnects(nc);
  let active = false;
  let checks = 0;
  const rc = new ReconnectChecks({
    connection: nc,
    active: () => active,
    check: () => {
      checks += 1;
    },
  });
  rc.start();

  await server.restart();
  await eventually(() => seen.count === 1, 'the first reconnect');
  await sleep(5_500);
  t.equal(checks, 0, 'both due checks are skipped while inactive');

  active = true;
  await server.restart();
  await eventually(() => seen.count === 2, 'the second reconnect');
  rc.close();
  await sleep(1_500);
  t.equal(checks, 0, 'close drops the checks not yet due');

  await server.restart();
  await eventually(() => seen.count === 3, 'the third reconnect');
  await sleep(1_500);
  t.equal(checks, 0, 'a closed ReconnectChecks no longer follows the status');
});

import t, { type Test } from 'tap';
import { http } from '../helpers/http.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';
import { type Admin, type Fixture, pushOk } from './fixtures/policy-fixtures.js';

const isMessage = (f: Frame) => f.op === 'message';

async function node(t: Test): Promise<TestNode & Admin> {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const adminToken = await server.token({ tenant: 'ops', sub: 'root', caps: ['admin'] });
  return Object.assign(server, { adminToken });
}

async function member(t: Test, server: TestNode, tenant: string, room: string) {
  const { client } = await TestClient.connect(server.url, await server.token({ tenant }));
  t.teardown(() => client.close());
  t.match(await client.request({ op: 'join', room }), { status: 'ok' });
  await client.next();
  return client;
}

/**
 * Each failure kind of on_publish, with what the deny says; every one fails closed. The budget is
 * short for the loop (the test waits for it) and long for the rest (only their failure is tested).
 */
const FAILURES: [Fixture, string, RegExp, number][] = [
  ['trap', 'trap', /^policy bad failed: trapped/, 2000],
  ['loop-forever', 'timeout', /^policy bad failed: timed out/, 30],
  ['eat-memory', 'memory', /^policy bad failed: out of memory/, 5000],
  ['bad-json', 'bad_verdict', /^policy bad failed: bad verdict \(output is not JSON\)/, 2000],
  ['bad-shape', 'bad_verdict', /^policy bad failed: bad verdict \(verdict.allow must be/, 2000],
  ['huge-rewrite', 'bad_verdict', /^policy bad failed: verdict of \d+ bytes, over the limit/, 5000],
];

for (const [fixture, kind, says, timeoutMs] of FAILURES) {
  t.test(
    `policy runner - fail closed: ${fixture} denies (${kind}), the node keeps serving`,
    async (t) => {
      const server = await node(t);
      await pushOk(server, 'bad', fixture, { tenant: 't1', timeoutMs });
      const a = await member(t, server, 't1', 'lobby');
      const b = await member(t, server, 't2', 'lobby');
      t.match(await a.request({ op: 'publish', room: 'lobby', data: 'x' }), {
        status: 'error',
        error: { code: 'policy_denied', message: says },
      });
      // The other tenant, and the same tenant's next publish, are answered (not stuck behind).
      t.match(await b.request({ op: 'publish', room: 'lobby', data: 'b' }), { status: 'ok' });
      t.match(await b.nextWhere(isMessage), { data: 'b' });
      t.match(await a.request({ op: 'publish', room: 'lobby', data: 'y' }), {
        error: { code: 'policy_denied' },
      });
      t.same(await a.sync(), [], 'nothing denied was delivered');
      const metrics = await http(`${server.http}/metrics`);
      t.match(
        metrics.text,
        new RegExp(`arq_policy_failures_total\\{policy="bad",scope="t1",kind="${kind}"[^}]*\\} 2`),
      );
      t.match(metrics.text, /arq_policy_denials_total\{policy="bad",scope="t1"[^}]*\} 2/);
    },
  );
}

t.test('policy runner - on_join failures deny the join (trap, timeout, bad verdict)', async (t) => {
  const server = await node(t);
  await pushOk(server, 'trapj', 'trap-join', { tenant: 't1' });
  await pushOk(server, 'loopj', 'loop-join', { tenant: 't2', timeoutMs: 20 });
  await pushOk(server, 'shape', 'bad-shape-join', { tenant: 't3' });
  const expect: [string, RegExp][] = [
    ['t1', /policy trapj failed: trapped/],
    ['t2', /policy loopj failed: timed out/],
    ['t3', /policy shape failed: bad verdict \(on_join cannot rewrite/],
  ];
  for (const [tenant, says] of expect) {
    const { client } = await TestClient.connect(server.url, await server.token({ tenant }));
    t.teardown(() => client.close());
    t.match(await client.request({ op: 'join', room: 'r' }), {
      status: 'error',
      error: { code: 'policy_denied', message: says },
    });
  }
  await member(t, server, 't4', 'r');
});

t.test(
  'policy runner - a loop in on_connect refuses the upgrade with 403 and others connect',
  async (t) => {
    const server = await node(t);
    await pushOk(server, 'loop', 'loop-connect', { tenant: 't1', timeoutMs: 20 });
    const refusal = await TestClient.refused(
      `${server.url}?token=${await server.token({ tenant: 't1' })}`,
    );
    t.equal(refusal.status, 403);
    t.match(refusal.body, {
      error: { code: 'policy_denied', message: /policy loop failed: timed out/ },
    });
    await member(t, server, 't2', 'r');
    const logged = await http(`${server.http}/metrics`);
    t.match(logged.text, /arq_policy_failures_total\{policy="loop",scope="t1",kind="timeout"/);
  },
);

t.test(
  'policy runner - ban-all closes live connections of its scope with 4003 and refuses new ones',
  async (t) => {
    const server = await node(t);
    const a = await member(t, server, 't1', 'lobby');
    const b = await member(t, server, 't2', 'lobby');
    await pushOk(server, 'ban', 'ban-all', { tenant: 't1' });
    t.match(await a.closed, { code: 4003 }, 't1 is dropped');
    const refusal = await TestClient.refused(
      `${server.url}?token=${await server.token({ tenant: 't1' })}`,
    );
    t.equal(refusal.status, 403);
    t.match(refusal.body, { error: { code: 'policy_denied', message: /ban-all/ } });
    t.match(await b.request({ op: 'publish', room: 'lobby', data: 'still here' }), {
      status: 'ok',
    });
    t.notOk(b.isClosed, 'the other tenant stays connected');
    // Global ban-all: everyone goes.
    await pushOk(server, 'ban', 'ban-all');
    t.match(await b.closed, { code: 4003 });
    t.equal((await http(`${server.http}/healthz`)).status, 200, 'the node keeps serving');
  },
);

import t from 'tap';
import { http } from '../helpers/http.js';
import { startTestNode } from '../helpers/test-node.js';
import { TestClient } from '../helpers/ws-client.js';

const errorBody = (code: string) => ({ error: { code, message: String } });

t.test('http api - healthz, readyz and the Prometheus metrics', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const health = await http(`${server.http}/healthz`);
  t.equal(health.status, 200);
  t.same(health.json, { status: 'ok', node: server.node.nodeId });
  const ready = await http(`${server.http}/readyz`);
  t.equal(ready.status, 200);
  t.match(ready.json, { status: 'ready' });

  const { client } = await TestClient.connect(server.url, await server.token({ rooms: ['a.*'] }));
  t.teardown(() => client.close());
  await client.request({ op: 'join', room: 'a.b' });
  await client.request({ op: 'publish', room: 'a.b', data: 1 });
  await client.request({ op: 'join', room: 'zzz' });
  const metrics = await http(`${server.http}/metrics`);
  t.equal(metrics.status, 200);
  t.match(metrics.contentType, /^text\/plain/);
  for (const pattern of [
    /^arq_connections\{[^}]*\} 1$/m,
    /^arq_messages_in_total\{[^}]*\} 3$/m,
    /^arq_messages_out_total\{[^}]*\} \d+$/m,
    /^arq_deliveries_total\{[^}]*\} 1$/m,
    /^arq_fanout_latency_seconds_count\{[^}]*\} 1$/m,
    /^arq_rejected_frames_total\{[^}]*code="forbidden"[^}]*\} 1$/m,
    /^# TYPE arq_shard_restarts_total counter$/m,
    /^# TYPE arq_closes_total counter$/m,
    /^arq_process_cpu_user_seconds_total/m,
  ]) {
    t.match(metrics.text, pattern, String(pattern));
  }
});

t.test('http api - metrics behind the admin cap unless public', async (t) => {
  const server = await startTestNode({ 'public-metrics': false });
  t.teardown(() => server.close());
  const none = await http(`${server.http}/metrics`);
  t.equal(none.status, 401);
  t.match(none.json, errorBody('unauthorized'));
  const user = await http(`${server.http}/metrics`, { token: await server.token() });
  t.equal(user.status, 403);
  t.match(user.json, errorBody('forbidden'));
  const admin = await http(`${server.http}/metrics`, {
    token: await server.token({ caps: ['admin'] }),
  });
  t.equal(admin.status, 200);
  t.match(admin.text, /arq_connections/);
});

t.test('http api - POST /v1/publish needs the server cap and delivers like a client', async (t) => {
  const server = await startTestNode({ 'max-frame-bytes': '1024' });
  t.teardown(() => server.close());
  const { client } = await TestClient.connect(server.url, await server.token());
  t.teardown(() => client.close());
  await client.request({ op: 'join', room: 'news' });
  const url = `${server.http}/v1/publish`;
  const token = await server.token({ sub: 'backend', caps: ['server'], rooms: ['news', 'x.*'] });
  const ok = await http(url, {
    token,
    body: { room: 'news', data: { headline: 'hi' }, headers: { 'x-twist-id': 't1' } },
  });
  t.equal(ok.status, 200);
  t.match(ok.json, { id: String, offset: 1 });
  t.match(await client.nextWhere((f) => f.op === 'message'), {
    room: 'news',
    from: 'backend',
    data: { headline: 'hi' },
    headers: { 'x-twist-id': 't1' },
    id: (ok.json as { id: string }).id,
  });

  const refusals: [string, Parameters<typeof http>[1], number, string][] = [
    ['no token', { body: { room: 'news', data: 1 } }, 401, 'unauthorized'],
    ['bad token', { token: 'nope', body: { room: 'news', data: 1 } }, 401, 'unauthorized'],
    [
      'no server cap',
      { token: await server.token(), body: { room: 'news', data: 1 } },
      403,
      'forbidden',
    ],
    ['room not allowed', { token, body: { room: 'lobby', data: 1 } }, 403, 'forbidden'],
    ['not JSON', { token, body: '{room' }, 400, 'bad_frame'],
    ['an array', { token, body: [1] }, 400, 'bad_frame'],
    ['no room', { token, body: { data: 1 } }, 400, 'bad_frame'],
    ['no data', { token, body: { room: 'news' } }, 400, 'bad_frame'],
    ['bad room name', { token, body: { room: 'x..y', data: 1 } }, 400, 'bad_frame'],
    ['too large', { token, body: { room: 'news', data: 'x'.repeat(5000) } }, 413, 'too_large'],
  ];
  for (const [what, call, status, code] of refusals) {
    const answer = await http(url, call);
    t.equal(answer.status, status, `${what}: ${status}`);
    t.match(answer.json, errorBody(code), `${what}: ${code}`);
  }
  t.same(await client.sync(), [], 'no refused publish was delivered');
});

t.test('http api - GET /v1/rooms/:room/presence', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const { client, welcome } = await TestClient.connect(server.url, await server.token());
  t.teardown(() => client.close());
  await client.request({ op: 'join', room: 'here', meta: { mood: 'ok' } });
  const token = await server.token({ caps: ['server'] });
  const at = (room: string, tok = token) =>
    http(`${server.http}/v1/rooms/${room}/presence`, { token: tok });
  const here = await at('here');
  t.equal(here.status, 200);
  t.match(here.json, {
    room: 'here',
    presences: { alice: { metas: [{ conn: welcome.conn, mood: 'ok', online_at: Number }] } },
  });
  const empty = await at('nobody');
  t.equal(empty.status, 404);
  t.match(empty.json, errorBody('no_such_room'));
  for (const bad of ['a..b', '%E0%A4%A']) {
    const answer = await at(bad);
    t.equal(answer.status, 400, `${bad}: 400`);
    t.match(answer.json, errorBody('bad_frame'));
  }
  const noCap = await at('here', await server.token());
  t.equal(noCap.status, 403);
  const other = await at('here', await server.token({ tenant: 't2', caps: ['server'] }));
  t.equal(other.status, 404, "another tenant's room of the same name is empty");
});

t.test('http api - chaos off: kill-worker is 404; unknown paths are 404', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const token = await server.token({ caps: ['admin'] });
  const kill = await http(`${server.http}/v1/admin/chaos/kill-worker`, { token, body: {} });
  t.equal(kill.status, 404);
  t.match(kill.json, errorBody('no_such_room'));
  const unknown = await http(`${server.http}/v2/nothing`);
  t.equal(unknown.status, 404);
  t.match(unknown.json, { error: { code: String } });
  t.equal((await http(`${server.http}/healthz`)).status, 200, 'the node still serves');
});

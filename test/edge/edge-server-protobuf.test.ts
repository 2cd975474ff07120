import t from 'tap';
import { jsonBytes } from '../helpers/server-frames.js';
import { startTestNode } from '../helpers/test-node.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const isMessage = (f: Frame) => f.op === 'message';

t.test('edge protobuf - answers in the encoding of the frame, on one connection', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const { client, welcome } = await TestClient.connect(server.url, await server.token());
  t.teardown(() => client.close());
  const join = await client.requestBinary({ op: 'join', room: 'lobby', meta: { via: 'pb' } });
  t.equal(join.binary, true, 'binary join, binary reply');
  t.match(join.frame, { status: 'ok', body: { epoch: String, offset: 0 } });
  const state = await client.nextEntry();
  t.equal(state.binary, true, 'presence_state in the encoding last used');
  t.match(state.frame, {
    op: 'presence_state',
    presences: { alice: { metas: [{ conn: welcome.conn, via: 'pb' }] } },
  });
  const ping = await client.requestBinary({ op: 'ping' });
  t.equal(ping.binary, true);
  t.match(ping.frame, { status: 'ok', body: { ts: Number } });
  t.match(
    await client.request({ op: 'ping' }),
    { status: 'ok', body: { ts: Number } },
    'JSON ping',
  );
  const bad = await client.requestBinary({ op: 'join', room: 'not..valid' });
  t.equal(bad.binary, true);
  t.match(bad.frame, { status: 'error', error: { code: 'bad_frame' } });
  const forbidden = await TestClient.connect(server.url, await server.token({ rooms: ['x.*'] }));
  t.teardown(() => forbidden.client.close());
  const refused = await forbidden.client.requestBinary({ op: 'join', room: 'lobby' });
  t.equal(refused.binary, true);
  t.match(refused.frame, { status: 'error', error: { code: 'forbidden' } });
});

t.test('edge protobuf - JSON publisher to protobuf subscriber and back', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const json = await TestClient.connect(server.url, await server.token({ sub: 'jay' }));
  const pb = await TestClient.connect(server.url, await server.token({ sub: 'pete' }));
  t.teardown(() => {
    json.client.close();
    pb.client.close();
  });
  t.match(await json.client.request({ op: 'join', room: 'mix' }), { status: 'ok' });
  t.match((await pb.client.requestBinary({ op: 'join', room: 'mix' })).frame, { status: 'ok' });

  // Raw text, so the number's spelling is the client's own (JSON.stringify would round it).
  json.client.send(
    '{"op":"publish","ref":"pub1","room":"mix","headers":{"x-twist-id":"tw1"},' +
      '"data":{"a":[1,2],"big":12345678901234567890}}',
  );
  const reply = await json.client.nextWhere((f) => f.op === 'reply' && f.ref === 'pub1');
  t.match(reply, { status: 'ok', body: { id: String, offset: 1 } });
  const atPb = await pb.client.nextEntryWhere(isMessage);
  t.equal(atPb.binary, true, 'the protobuf member gets a binary message');
  t.match(atPb.frame, { room: 'mix', from: 'jay', offset: 1, headers: { 'x-twist-id': 'tw1' } });
  t.equal(
    (atPb.frame.data as Buffer).toString('utf8'),
    '{"a":[1,2],"big":12345678901234567890}',
    'the JSON text of data as bytes, spelled as the client wrote it',
  );
  const atJson = await json.client.nextEntryWhere(isMessage);
  t.equal(atJson.binary, false);
  t.match(atJson.frame, {
    from: 'jay',
    data: { a: [1, 2] },
    id: (reply.body as { id: string }).id,
  });

  const pbReply = await pb.client.requestBinary({
    op: 'publish',
    room: 'mix',
    data: jsonBytes({ b: 'two' }),
    dataFormat: 'raw',
    headers: {},
    echo: true,
  });
  t.equal(pbReply.binary, true);
  t.match(pbReply.frame, { status: 'ok', body: { offset: 2 } });
  t.match(await json.client.nextWhere(isMessage), { from: 'pete', data: { b: 'two' }, offset: 2 });
  const echo = await pb.client.nextEntryWhere(isMessage);
  t.equal((echo.frame.data as Buffer).toString('utf8'), '{"b":"two"}', 'echo to the sender');

  await pb.client.requestBinary({
    op: 'publish',
    room: 'mix',
    data: new Uint8Array([0xff, 0x00, 0x01]),
    dataFormat: 'raw',
    headers: {},
    echo: false,
  });
  t.match(
    await json.client.nextWhere(isMessage),
    { from: 'pete', data: '/wAB', headers: { 'x-arq-data-encoding': 'base64' } },
    'bytes that are not JSON reach a JSON client as base64',
  );
  // Presence is coalesced (presence-coalesce-ms): pete's join may reach jay after these messages.
  const rest = (await json.client.sync()).filter((f) => f.op !== 'presence_diff');
  t.same(rest, [], 'echo:false: nothing more');
});

t.test('edge protobuf - room messages follow the encoding the connection used last', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const mixed = await TestClient.connect(server.url, await server.token({ sub: 'mixed' }));
  const pub = await TestClient.connect(server.url, await server.token({ sub: 'pub' }));
  const member = await TestClient.connect(server.url, await server.token({ sub: 'member' }));
  t.teardown(() => {
    for (const c of [mixed, pub, member]) c.client.close();
  });
  t.match(await mixed.client.request({ op: 'join', room: 'r' }), { status: 'ok' });
  t.match(await member.client.request({ op: 'join', room: 'r' }), { status: 'ok' });
  const publishAndGet = async (n: number) => {
    t.match(await pub.client.request({ op: 'publish', room: 'r', data: { n } }), { status: 'ok' });
    return mixed.client.nextEntryWhere(isMessage);
  };
  t.equal((await publishAndGet(1)).binary, false, 'JSON first');
  t.equal((await mixed.client.requestBinary({ op: 'ping' })).binary, true);
  const second = await publishAndGet(2);
  t.equal(second.binary, true, 'binary after a binary frame');
  t.equal((second.frame.data as Buffer).toString('utf8'), '{"n":2}');
  const diff = mixed.client.nextEntryWhere((f) => f.op === 'presence_diff');
  member.client.close();
  t.equal((await diff).binary, true, 'presence in the last encoding too');
  t.match(await mixed.client.request({ op: 'ping' }), { status: 'ok' });
  const third = await publishAndGet(3);
  t.equal(third.binary, false, 'JSON again after a JSON frame');
  t.match(third.frame, { data: { n: 3 } });
});

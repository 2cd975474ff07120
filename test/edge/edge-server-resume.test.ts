import t from 'tap';
import { startTestNode } from '../helpers/test-node.js';
import { type Frame, nextRef, TestClient } from '../helpers/ws-client.js';

const isMessage = (f: Frame) => f.op === 'message';

t.test('edge resume - join with since replays what came after, before live messages', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const pub = await TestClient.connect(server.url, await server.token({ sub: 'pub' }));
  t.teardown(() => pub.client.close());
  const first = await pub.client.request({ op: 'join', room: 'hist' });
  const epoch = (first.body as { epoch: string }).epoch;
  t.match(first.body, { epoch: String, offset: 0 });
  for (let n = 1; n <= 3; n++) {
    t.match(await pub.client.request({ op: 'publish', room: 'hist', data: { n }, echo: false }), {
      body: { offset: n },
    });
  }

  const late = await TestClient.connect(server.url, await server.token({ sub: 'late' }));
  t.teardown(() => late.client.close());
  // The join and a live publish race: either way the late member sees 2, 3, 4 once, in order.
  const ref = nextRef();
  late.client.send({ op: 'join', room: 'hist', since: { epoch, offset: 1 }, ref });
  pub.client.send({ op: 'publish', room: 'hist', data: { n: 4 }, echo: false });
  const frames: Frame[] = [];
  while (frames.filter(isMessage).length < 3) frames.push(await late.client.next());
  const reply = frames.find((f) => f.op === 'reply' && f.ref === ref);
  t.match(reply, { status: 'ok', body: { epoch } });
  t.notMatch(reply, { body: { recovered: false } }, 'recovered');
  const messages = frames.filter(isMessage);
  t.same(
    messages.map((m) => m.offset),
    [2, 3, 4],
    'replayed, then live, in order',
  );
  t.match(messages, [{ data: { n: 2 }, from: 'pub' }, { data: { n: 3 } }, { data: { n: 4 } }]);
  t.equal(
    frames.indexOf(reply as Frame) < frames.indexOf(messages[0] as Frame),
    true,
    'reply first',
  );
  t.same((await late.client.sync()).filter(isMessage), [], 'no duplicates');

  const binary = await TestClient.connect(server.url, await server.token({ sub: 'pb' }));
  t.teardown(() => binary.client.close());
  const pbJoin = await binary.client.requestBinary({
    op: 'join',
    room: 'hist',
    since: { epoch, offset: 3 },
  });
  t.match(pbJoin.frame, { status: 'ok', body: { epoch, offset: 4 } });
  const replayed = await binary.client.nextEntryWhere(isMessage);
  t.equal(replayed.binary, true, 'replay in the encoding of the connection');
  t.match(replayed.frame, { offset: 4 });
  t.equal((replayed.frame.data as Buffer).toString('utf8'), '{"n":4}');

  const atHead = await TestClient.connect(server.url, await server.token({ sub: 'head' }));
  t.teardown(() => atHead.client.close());
  const head = await atHead.client.exchange({
    op: 'join',
    room: 'hist',
    since: { epoch, offset: 4 },
  });
  t.same(head.reply.body, { epoch, offset: 4 }, 'nothing to replay at the head');
  t.same((await atHead.client.sync()).filter(isMessage), []);
});

t.test('edge resume - an unknown epoch answers recovered:false and replays nothing', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const { client } = await TestClient.connect(server.url, await server.token());
  t.teardown(() => client.close());
  const pub = await TestClient.connect(server.url, await server.token({ sub: 'pub' }));
  t.teardown(() => pub.client.close());
  await pub.client.request({ op: 'publish', room: 'gone', data: 1 });
  const reply = await client.request({
    op: 'join',
    room: 'gone',
    since: { epoch: 'no-such-epoch', offset: 0 },
  });
  t.match(reply, { status: 'ok', body: { recovered: false, epoch: String, offset: 1 } });
  t.same((await client.sync()).filter(isMessage), [], 'nothing replayed');
  t.match(await pub.client.request({ op: 'publish', room: 'gone', data: 2 }), { status: 'ok' });
  t.match(await client.nextWhere(isMessage), { data: 2, offset: 2 }, 'live messages flow');
});

import t from 'tap';
import { startTestNode } from '../helpers/test-node.js';
import { sleep } from '../helpers/wait-for.js';
import { TestClient } from '../helpers/ws-client.js';

const LIMIT = 64 * 1024;
/** What uWS may hold beyond the limit (the edge's headroom floor), plus one message in flight. */
const BOUND = LIMIT + 1024 * 1024 + LIMIT;

t.test('edge close codes - a client that does not read is closed with 4008', async (t) => {
  const server = await startTestNode({
    'max-send-buffer-bytes': String(LIMIT),
    'publish-rate': '100000',
    'publish-burst': '100000',
  });
  t.teardown(() => server.close());
  const slow = await TestClient.connect(server.url, await server.token({ sub: 'slow' }));
  const pub = await TestClient.connect(server.url, await server.token({ sub: 'pub' }));
  t.teardown(() => {
    slow.client.close();
    pub.client.close();
  });
  t.match(await slow.client.request({ op: 'join', room: 'firehose' }), { status: 'ok' });
  slow.client.ws.pause();
  const data = 'x'.repeat(60_000);
  const closedWith4008 = async () =>
    /arq_closes_total\{[^}]*code="4008"[^}]*\} 1/.test(await server.node.metrics.render());
  let published = 0;
  // Paced, so that the edge's sweep sees the buffer pass the limit long before uWS's own cap.
  while (!(await closedWith4008())) {
    if (published > 3000) throw new Error('the slow reader was never closed');
    t.match(await pub.client.request({ op: 'publish', room: 'firehose', data, echo: false }), {
      status: 'ok',
    });
    published++;
    await sleep(25);
  }
  // More traffic for the room after the close buffers nothing for the slow reader.
  for (let i = 0; i < 20; i++) {
    await pub.client.request({ op: 'publish', room: 'firehose', data, echo: false });
  }
  t.ok(server.node.peakSendBufferBytes > LIMIT, 'the reader did fall behind');
  t.ok(server.node.peakSendBufferBytes <= BOUND, 'what the node buffered for it stayed bounded');
  slow.client.ws.resume();
  const closed = await slow.client.closed;
  t.equal(closed.code, 4008, 'the client reads its backlog, then 4008');
  // Its queue: the presence_state, then at most the messages published before the close.
  t.ok(slow.client.pending <= published + 1, 'nothing published after the close reached it');
  t.match(await pub.client.request({ op: 'ping' }), { status: 'ok' }, 'the publisher is fine');
});

t.test('edge close codes - an expired token closes the connection with 4001', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const refreshed = await TestClient.connect(server.url, await server.token({ ttl: 2 }));
  const expiring = await TestClient.connect(server.url, await server.token({ ttl: 2 }));
  t.teardown(() => refreshed.client.close());
  t.match(
    await refreshed.client.request({ op: 'refresh', token: await server.token({ ttl: '1h' }) }),
    { status: 'ok' },
  );
  const closed = await expiring.client.closed;
  t.equal(closed.code, 4001, 'closed with 4001');
  // The sweep that closed the other socket saw this one's first token expired too.
  t.match(await refreshed.client.request({ op: 'ping' }), { status: 'ok' }, 'a refresh extends');
  t.notOk(refreshed.client.isClosed);
});

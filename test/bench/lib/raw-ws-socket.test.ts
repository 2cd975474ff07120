import t from 'tap';
import { OPCODE_TEXT, RawWsSocket, type RawWsSocketOptions } from '../../../bench/lib/index.js';
import { loadUws, type us_listen_socket, type us_socket } from '../../../src/uws/index.js';
import { startTestNode } from '../../helpers/test-node.js';
import { waitFor } from '../../helpers/wait-for.js';

const uWS = loadUws().module;

interface Session {
  readonly frames: string[];
  readonly faults: string[];
  readonly closes: number[];
  readonly options: RawWsSocketOptions;
}

function session(url: string): Session {
  const frames: string[] = [];
  const faults: string[] = [];
  const closes: number[] = [];
  return {
    frames,
    faults,
    closes,
    options: {
      url,
      timeoutMs: 5_000,
      localAddress: null,
      onMessage: (opcode, chunk, start, end) => {
        if (opcode === OPCODE_TEXT) frames.push(chunk.toString('utf8', start, end));
      },
      onFault: (fault) => faults.push(fault),
      onClose: (code) => closes.push(code),
    },
  };
}

t.test('raw ws socket - welcome, a join and its reply, the server close code', async (t) => {
  const node = await startTestNode();
  let closed = false;
  t.teardown(() => (closed ? undefined : node.close()));
  const s = session(`ws://127.0.0.1:${node.port}/ws?token=${await node.token()}`);
  const socket = await RawWsSocket.connect(s.options);
  socket.start();
  await waitFor(() => s.frames.length === 1, 'the welcome');
  t.match(JSON.parse(s.frames[0]!), { op: 'welcome', sub: 'alice' });
  // Over 125 bytes: the client frame needs the 16-bit length (and the server reads it unmasked).
  socket.sendText(
    JSON.stringify({ op: 'join', room: 'lobby', ref: 'r1', meta: { pad: 'x'.repeat(200) } }),
  );
  await waitFor(() => s.frames.some((f) => f.includes('"ref":"r1"')), 'the join reply');
  t.match(JSON.parse(s.frames.find((f) => f.includes('"ref":"r1"'))!), {
    op: 'reply',
    status: 'ok',
  });
  closed = true;
  await node.close();
  await waitFor(() => s.closes.length === 1, 'the close');
  t.same(s.closes, [4009], 'the close frame code (draining)');
  t.same(s.faults, []);
});

t.test('raw ws socket - a refused upgrade rejects with the HTTP status', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const s = session(`ws://127.0.0.1:${node.port}/ws?token=not-a-token`);
  await t.rejects(RawWsSocket.connect(s.options), {
    code: 'ARQ_ERR_BENCH_CLIENT',
    message: /HTTP 401/,
  });
});

t.test('raw ws socket - a server ping is answered with a pong of the same payload', async (t) => {
  const pongs: string[] = [];
  const app = uWS.App().ws('/*', {
    open: (ws) => {
      ws.ping('are you there');
    },
    pong: (_ws, message) => {
      pongs.push(Buffer.from(message).toString());
    },
  });
  const listen = await new Promise<us_listen_socket>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (socket) => {
      if (socket === false) reject(new Error('cannot listen'));
      else resolve(socket);
    }),
  );
  t.teardown(() => uWS.us_listen_socket_close(listen));
  const port = uWS.us_socket_local_port(listen as unknown as us_socket);
  const s = session(`ws://127.0.0.1:${port}/`);
  const socket = await RawWsSocket.connect(s.options);
  socket.start();
  await waitFor(() => pongs.length === 1, 'the pong');
  t.same(pongs, ['are you there']);
  socket.terminate();
  await waitFor(() => s.closes.length === 1, 'the close');
  t.same(s.closes, [1006], 'terminate: no close frame');
});

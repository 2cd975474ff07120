import t, { type Test } from 'tap';
import { encodeMessageFrame, encodeTextFrame } from '../../proto/wire/index.js';
import { ArqonClientError } from '../../src/client/index.js';
import { parseServerFrame } from '../../src/client/parse-server-frame.js';

const encoder = new TextEncoder();

function badFrame(t: Test, text: string, pattern: RegExp): void {
  t.throws(() => parseServerFrame(text), {
    name: 'ArqonClientError',
    code: 'ARQ_CLIENT_BAD_FRAME',
    message: pattern,
  });
}

t.test('parse server frame - reads what the server encoder writes', async (t) => {
  t.same(
    parseServerFrame(
      encodeTextFrame({
        op: 'welcome',
        node: 'n1',
        conn: 'c1',
        tenant: 't1',
        sub: 'alice',
        heartbeatMs: 25_000,
      }),
    ),
    {
      op: 'welcome',
      welcome: { node: 'n1', conn: 'c1', tenant: 't1', sub: 'alice', heartbeatMs: 25_000 },
    },
  );
  t.same(
    parseServerFrame(
      encodeTextFrame({ op: 'reply', ref: 'r1', status: 'ok', body: { epoch: 'e', offset: 3 } }),
    ),
    {
      op: 'reply',
      ref: 'r1',
      status: 'ok',
      body: { epoch: 'e', offset: 3 },
    },
  );
  t.same(
    parseServerFrame(
      encodeTextFrame({
        op: 'reply',
        ref: 'r2',
        status: 'error',
        error: { code: 'forbidden', message: 'no' },
      }),
    ),
    { op: 'reply', ref: 'r2', status: 'error', error: { code: 'forbidden', message: 'no' } },
  );
  t.same(
    parseServerFrame(encodeTextFrame({ op: 'error', error: { code: 'bad_frame', message: 'x' } })),
    {
      op: 'error',
      error: { code: 'bad_frame', message: 'x' },
    },
  );
  const presences = {
    alice: { metas: [{ conn: 'c1', node: 'n1', online_at: 5, status: 'away' }] },
  };
  t.same(parseServerFrame(encodeTextFrame({ op: 'presence_state', room: 'lobby', presences })), {
    op: 'presence_state',
    room: 'lobby',
    presences,
  });
  t.same(
    parseServerFrame(
      encodeTextFrame({ op: 'presence_diff', room: 'lobby', joins: {}, leaves: presences }),
    ),
    { op: 'presence_diff', room: 'lobby', joins: {}, leaves: presences },
  );
  const text = encodeMessageFrame(
    {
      room: 'lobby',
      id: 'e:1',
      offset: 1,
      ts: 1000,
      from: 'bob',
      data: encoder.encode('{"n":1}'),
      dataFormat: 'json',
      headers: { 'x-twist-id': 'tw' },
    },
    'json',
  );
  t.same(parseServerFrame(text), {
    op: 'message',
    message: {
      room: 'lobby',
      id: 'e:1',
      offset: 1,
      ts: 1000,
      from: 'bob',
      data: { n: 1 },
      headers: { 'x-twist-id': 'tw' },
    },
  });
});

t.test('parse server frame - unknown ops are skipped, unknown codes become internal', async (t) => {
  t.equal(parseServerFrame('{"op":"future_thing","x":1}'), null);
  t.same(parseServerFrame('{"op":"error","error":{"code":"brand_new","message":"m"}}'), {
    op: 'error',
    error: { code: 'internal', message: 'brand_new: m' },
  });
  t.same(
    parseServerFrame(
      '{"op":"message","room":"r","id":"i","offset":1,"ts":2,"from":"f","data":null}',
    ),
    {
      op: 'message',
      message: { room: 'r', id: 'i', offset: 1, ts: 2, from: 'f', data: null, headers: {} },
    },
  );
  t.same(parseServerFrame('{"op":"presence_diff","room":"r","joins":{}}'), {
    op: 'presence_diff',
    room: 'r',
    joins: {},
    leaves: {},
  });
});

t.test('parse server frame - malformed frames are ARQ_CLIENT_BAD_FRAME', async (t) => {
  t.throws(() => parseServerFrame('{nope'), ArqonClientError);
  badFrame(t, '{nope', /invalid JSON/);
  badFrame(t, '[1]', /JSON object/);
  badFrame(t, '{"op":3}', /string "op"/);
  badFrame(t, '{"op":"welcome","node":"n","conn":"c","tenant":"t","sub":"s"}', /heartbeat_ms/);
  badFrame(t, '{"op":"reply","ref":"r","status":"maybe"}', /status/);
  badFrame(t, '{"op":"reply","status":"ok"}', /ref/);
  badFrame(t, '{"op":"message","room":"r","id":"i","offset":"1","ts":2,"from":"f"}', /offset/);
  badFrame(
    t,
    '{"op":"message","room":"r","id":"i","offset":1,"ts":2,"from":"f","headers":{"a":1}}',
    /header/,
  );
  badFrame(
    t,
    '{"op":"presence_state","room":"r","presences":{"a":{"metas":[{"node":"n"}]}}}',
    /conn/,
  );
  badFrame(t, '{"op":"presence_state","room":"r","presences":{"a":[]}}', /metas/);
});

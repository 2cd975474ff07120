import { fromBinary } from '@bufbuild/protobuf';
import t from 'tap';
import { ServerFrameSchema } from '../../proto/index.js';
import {
  encodeBinaryFrame,
  encodeTextFrame,
  type ServerFrame,
  WireError,
} from '../../proto/wire/index.js';

const pbOf = (frame: ServerFrame) => fromBinary(ServerFrameSchema, encodeBinaryFrame(frame)).op;
const jsonOf = (frame: ServerFrame): unknown => JSON.parse(encodeTextFrame(frame));

t.test('encode server frame - welcome', async (t) => {
  const frame: ServerFrame = {
    op: 'welcome',
    node: 'n1',
    conn: 'c1',
    tenant: 't1',
    sub: 'alice',
    heartbeatMs: 25_000,
  };
  t.equal(
    encodeTextFrame(frame),
    '{"op":"welcome","node":"n1","conn":"c1","tenant":"t1","sub":"alice","heartbeat_ms":25000}',
  );
  const op = pbOf(frame);
  t.equal(op.case, 'welcome');
  t.match(op.value, { node: 'n1', conn: 'c1', tenant: 't1', sub: 'alice', heartbeatMs: 25_000 });
});

t.test('encode server frame - reply ok and reply error', async (t) => {
  const ok: ServerFrame = {
    op: 'reply',
    ref: 'r1',
    status: 'ok',
    body: { epoch: 'e', offset: 4, nested: { list: [1, 'two', null, false] } },
  };
  t.same(jsonOf(ok), {
    op: 'reply',
    ref: 'r1',
    status: 'ok',
    body: { epoch: 'e', offset: 4, nested: { list: [1, 'two', null, false] } },
  });
  const okPb = pbOf(ok);
  t.equal(okPb.case, 'reply');
  t.match(okPb.value, { ref: 'r1', status: 'ok', body: ok.body });

  const error = new WireError('forbidden', 'not allowed', { cause: new Error('secret internals') });
  const bad: ServerFrame = { op: 'reply', ref: 'r2', status: 'error', error };
  t.equal(
    encodeTextFrame(bad),
    '{"op":"reply","ref":"r2","status":"error","error":{"code":"forbidden","message":"not allowed"}}',
  );
  const badPb = pbOf(bad);
  t.equal(badPb.case, 'reply');
  t.match(badPb.value, {
    ref: 'r2',
    status: 'error',
    error: { code: 'forbidden', message: 'not allowed' },
  });
});

t.test('encode server frame - presence state and diff', async (t) => {
  const meta = { conn: 'c1', node: 'n1', online_at: 1700000000000, name: 'Ann' };
  const state: ServerFrame = {
    op: 'presence_state',
    room: 'lobby',
    presences: { alice: { metas: [meta] }, ['__proto__']: { metas: [] } },
  };
  t.same(jsonOf(state), {
    op: 'presence_state',
    room: 'lobby',
    presences: { alice: { metas: [meta] }, ['__proto__']: { metas: [] } },
  });
  const statePb = pbOf(state);
  t.equal(statePb.case, 'presenceState');
  if (statePb.case === 'presenceState') {
    t.equal(statePb.value.room, 'lobby');
    t.same(statePb.value.presences.alice?.metas, [meta]);
    t.same(Object.keys(statePb.value.presences).sort(), ['__proto__', 'alice']);
  }
  const diff: ServerFrame = {
    op: 'presence_diff',
    room: 'lobby',
    joins: { bob: { metas: [{ conn: 'c2', node: 'n2', online_at: 1 }] } },
    leaves: { alice: { metas: [meta] } },
  };
  t.same(jsonOf(diff), {
    op: 'presence_diff',
    room: 'lobby',
    joins: { bob: { metas: [{ conn: 'c2', node: 'n2', online_at: 1 }] } },
    leaves: { alice: { metas: [meta] } },
  });
  const diffPb = pbOf(diff);
  t.equal(diffPb.case, 'presenceDiff');
  if (diffPb.case === 'presenceDiff') {
    t.same(diffPb.value.joins.bob?.metas, [{ conn: 'c2', node: 'n2', online_at: 1 }]);
    t.same(diffPb.value.leaves.alice?.metas, [meta]);
  }
});

t.test('encode server frame - error frame carries only code and message', async (t) => {
  const frame: ServerFrame = { op: 'error', error: new WireError('bad_frame', 'not JSON') };
  t.equal(
    encodeTextFrame(frame),
    '{"op":"error","error":{"code":"bad_frame","message":"not JSON"}}',
  );
  const op = pbOf(frame);
  t.equal(op.case, 'error');
  t.match(op.value, { error: { code: 'bad_frame', message: 'not JSON' } });
});

t.test('encode server frame - message frames go through the message encoder', async (t) => {
  const frame: ServerFrame = {
    op: 'message',
    room: 'r',
    id: 'i',
    offset: 1,
    ts: 2,
    from: 'f',
    data: new TextEncoder().encode('true'),
    dataFormat: 'json',
    headers: {},
  };
  t.equal(
    encodeTextFrame(frame),
    '{"op":"message","room":"r","id":"i","offset":1,"ts":2,"from":"f","data":true,"headers":{}}',
  );
  const op = pbOf(frame);
  t.equal(op.case, 'message');
  t.match(op.value, { room: 'r', id: 'i', offset: 1n, ts: 2n, from: 'f' });
});

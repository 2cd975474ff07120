import t from 'tap';
import {
  CLUSTER_MESSAGE_VERSION,
  type ClusterMessage,
  encodeClusterMessage,
  parseClusterMessage,
} from '../../src/cluster/index.js';

const utf8 = new TextEncoder();

t.test('cluster message - heartbeats and leavings round-trip', async (t) => {
  const heartbeat: ClusterMessage = {
    type: 'heartbeat',
    node: 'n1',
    incarnation: 'i1',
    seq: 3,
    ts: 1718000000000,
    payload: { presence: { clock: 12 } },
  };
  t.same(parseClusterMessage(encodeClusterMessage(heartbeat)), heartbeat);
  const leaving: ClusterMessage = { type: 'leaving', node: 'n1', incarnation: 'i1', ts: 5 };
  t.same(parseClusterMessage(encodeClusterMessage(leaving)), leaving);
  const bare = {
    v: CLUSTER_MESSAGE_VERSION,
    type: 'heartbeat',
    node: 'n',
    incarnation: 'i',
    seq: 0,
    ts: 1,
  };
  t.same(parseClusterMessage(utf8.encode(JSON.stringify(bare))).type, 'heartbeat');
  t.same(
    (parseClusterMessage(utf8.encode(JSON.stringify(bare))) as { payload: unknown }).payload,
    {},
    'a heartbeat without payload has an empty one',
  );
});

t.test('cluster message - anything malformed throws ARQ_ERR_CLUSTER_MALFORMED', async (t) => {
  const good = { v: 1, type: 'heartbeat', node: 'n', incarnation: 'i', seq: 1, ts: 1, payload: {} };
  const cases: [string, unknown][] = [
    ['not an object', 42],
    ['array', [good]],
    ['unknown version', { ...good, v: 2 }],
    ['unknown type', { ...good, type: 'hello' }],
    ['empty node', { ...good, node: '' }],
    ['numeric incarnation', { ...good, incarnation: 1 }],
    ['negative seq', { ...good, seq: -1 }],
    ['fractional seq', { ...good, seq: 1.5 }],
    ['string ts', { ...good, ts: 'now' }],
    ['array payload', { ...good, payload: [1] }],
  ];
  for (const [name, input] of cases) {
    t.throws(
      () => parseClusterMessage(utf8.encode(JSON.stringify(input))),
      { code: 'ARQ_ERR_CLUSTER_MALFORMED' },
      name,
    );
  }
  t.throws(() => parseClusterMessage(utf8.encode('{"v":')), { code: 'ARQ_ERR_CLUSTER_MALFORMED' });
  t.throws(() => parseClusterMessage(new Uint8Array([0xff, 0xfe])), {
    code: 'ARQ_ERR_CLUSTER_MALFORMED',
  });
});

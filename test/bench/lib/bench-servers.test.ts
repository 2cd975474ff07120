import t from 'tap';
import {
  BenchError,
  benchNodeAt,
  benchServerLabel,
  benchServerNode,
  parseBenchServer,
} from '../../../bench/lib/index.js';

const other = { path: '/opt/node22/bin/node', version: 'v22.23.5' };

t.test('bench servers - a plain name runs on the bench own Node', async (t) => {
  const spec = parseBenchServer('arqon-w2', other);
  t.same(spec, { kind: 'arqon', workers: 2, ringLingerMs: null });
  t.equal(benchServerNode(spec), process.version);
  t.equal(benchServerLabel(spec), 'ArqonBus (2 shard workers)');
});

t.test('bench servers - @other runs on the Node given by --other-node', async (t) => {
  const arqon = parseBenchServer('arqon-w1-linger1@other', other);
  t.same(arqon, { kind: 'arqon', workers: 1, ringLingerMs: 1, node: other });
  t.equal(benchServerNode(arqon), 'v22.23.5');
  t.equal(benchServerLabel(arqon), 'ArqonBus (1 shard worker, ring-linger-ms 1) on Node v22.23.5');
  const uws = parseBenchServer('bare-uws@other', other);
  t.same(uws, { kind: 'bare-uws', hop: false, node: other });
  t.equal(benchServerLabel(uws), 'bare uWS.js on Node v22.23.5');
});

t.test(
  'bench servers - bare-uws-hop is bare uWS with a thread hop, not taken for the peer',
  async (t) => {
    const hop = parseBenchServer('bare-uws-hop', other);
    t.same(hop, { kind: 'bare-uws', hop: true });
    t.notOk(
      benchServerLabel(hop).startsWith('bare uWS'),
      'the reports find bare uWS by that prefix',
    );
  },
);

t.test('bench servers - bad names and a missing --other-node are option errors', async (t) => {
  const optionError = (name: string, node: typeof other | null, pattern: RegExp): void => {
    t.throws(() => parseBenchServer(name, node), pattern);
    try {
      parseBenchServer(name, node);
    } catch (error) {
      t.ok(error instanceof BenchError && error.code === 'ARQ_ERR_BENCH_OPTIONS', name);
    }
  };
  optionError('arqon-w1@other', null, /--other-node PATH/);
  optionError('arqon-w1@node22', other, /the only suffix is @other/);
  optionError('nginx', other, /unknown server "nginx"/);
  optionError('arqon-wx', other, /unknown server/);
});

t.test('bench servers - benchNodeAt asks the binary its version', async (t) => {
  t.same(benchNodeAt(process.execPath), { path: process.execPath, version: process.version });
  t.throws(() => benchNodeAt('/nonexistent/node'), /--other-node \/nonexistent\/node does not run/);
});

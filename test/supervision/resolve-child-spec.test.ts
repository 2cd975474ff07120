import t from 'tap';
import { DEFAULT_SHUTDOWN_MS, resolveChildSpec } from '../../supervision/index.js';
import { TestFleet } from './fixtures/test-child.js';

t.test('resolve child spec - fills the defaults', async (t) => {
  const spec = new TestFleet().spec('a');
  const resolved = resolveChildSpec(spec, 'spec');
  t.equal(DEFAULT_SHUTDOWN_MS, 5_000);
  t.match(resolved, {
    id: 'a',
    restart: 'permanent',
    shutdown: DEFAULT_SHUTDOWN_MS,
    type: 'worker',
  });
  t.equal(resolved.start, spec.start);
  t.ok(Object.isFrozen(resolved));
});

t.test('resolve child spec - keeps valid choices', async (t) => {
  const spec = new TestFleet().spec('a');
  for (const shutdown of [0, 250, 'brutal_kill', 'infinity'] as const)
    t.equal(resolveChildSpec({ ...spec, shutdown }, 'spec').shutdown, shutdown);
  t.equal(resolveChildSpec({ ...spec, type: 'supervisor' }, 'spec').type, 'supervisor');
  t.equal(resolveChildSpec({ ...spec, restart: 'temporary' }, 'spec').restart, 'temporary');
});

t.test('resolve child spec - rejects bad fields, naming them with the label', async (t) => {
  const spec = new TestFleet().spec('a');
  const bad = (value: unknown) => () => resolveChildSpec(value as never, 'options.children[3]');
  t.throws(bad(null), {
    code: 'ARQ_ERR_SUPERVISOR_OPTIONS',
    message: /options\.children\[3\] must be a child spec object, got null/,
  });
  t.throws(bad({ ...spec, id: 7 }), /options\.children\[3\]\.id must be a non-empty string, got 7/);
  t.throws(bad({ ...spec, start: undefined }), /\.start must be a function, got undefined/);
  t.throws(bad({ ...spec, shutdown: 'soon' }), /\.shutdown must be .* got 'soon'/);
  t.throws(bad({ ...spec, shutdown: Number.POSITIVE_INFINITY }), /\.shutdown/);
  t.throws(
    bad({ ...spec, restart: 'always' }),
    /\.restart must be one of permanent, transient, temporary/,
  );
  t.throws(bad({ ...spec, type: 'thread' }), /\.type must be one of worker, supervisor/);
});

import t from 'tap';
import { NodeLog } from '../../src/node/index.js';

t.test('node log - lines below log-level are dropped, the rest carry their level', async (t) => {
  const lines: string[] = [];
  const log = new NodeLog('warn', (line) => lines.push(line));
  log.debug('d');
  log.info('i');
  log.warn('shard 1 restarted');
  log.error('shard pool failed');
  t.same(lines, ['warn shard 1 restarted', 'error shard pool failed']);
  t.notOk(log.enabled('info'));
  t.ok(log.enabled('error'));
});

t.test('node log - debug writes every level, error only errors', async (t) => {
  const all: string[] = [];
  const debug = new NodeLog('debug', (line) => all.push(line));
  for (const level of ['debug', 'info', 'warn', 'error'] as const) debug.write(level, 'x');
  t.same(all, ['debug x', 'info x', 'warn x', 'error x']);
  const errors: string[] = [];
  const error = new NodeLog('error', (line) => errors.push(line));
  for (const level of ['debug', 'info', 'warn', 'error'] as const) error.write(level, 'x');
  t.same(errors, ['error x']);
});

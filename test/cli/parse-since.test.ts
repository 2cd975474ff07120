import t from 'tap';
import { CliError } from '../../src/cli/cli-error.js';
import { parseSince } from '../../src/cli/parse-since.js';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);

t.test('parse since - durations count back from now', async (t) => {
  t.equal(parseSince('30s', NOW), NOW - 30_000);
  t.equal(parseSince('10m', NOW), NOW - 600_000);
  t.equal(parseSince('2h', NOW), NOW - 7_200_000);
  t.equal(parseSince('1d', NOW), NOW - 86_400_000);
  t.equal(parseSince('90', NOW), NOW - 90_000, 'a plain number is seconds');
  t.equal(parseSince('1.5s', NOW), NOW - 1500);
  t.equal(parseSince('0', NOW), NOW, 'from now');
});

t.test('parse since - ISO timestamps are absolute', async (t) => {
  t.equal(parseSince('2026-12-07T11:00:00Z', NOW), Date.UTC(2026, 11, 7, 11, 0, 0));
  t.equal(parseSince('2026-12-07T11:00:00.250+01:00', NOW), Date.UTC(2026, 11, 7, 10, 0, 0, 250));
  t.equal(parseSince('2026-12-07', NOW), Date.UTC(2026, 11, 7), 'a date is its UTC midnight');
});

t.test('parse since - bad values are usage errors naming --since', async (t) => {
  for (const bad of ['', '10x', '-5m', 'm', 'yesterday', '2026-13-45T99:00:00Z', '10 m']) {
    let thrown: unknown;
    try {
      parseSince(bad, NOW);
    } catch (err) {
      thrown = err;
    }
    t.ok(thrown instanceof CliError, `${JSON.stringify(bad)} is refused`);
    t.match(thrown, { code: 'ARQ_ERR_CLI_USAGE', message: /^--since must be/ });
  }
  t.throws(() => parseSince('100000d', NOW), /--since 100000d reaches back before 1970/);
});

import t from 'tap';
import { parseDuration } from '../../src/auth/index.js';

t.test('parse duration - numbers and unit strings give seconds', async (t) => {
  const table: Array<[string | number, number]> = [
    [90, 90],
    ['90', 90],
    ['15s', 15],
    ['30m', 1800],
    ['1h', 3600],
    ['2d', 172_800],
    ['1w', 604_800],
    [' 1h ', 3600],
  ];
  for (const [input, seconds] of table) t.equal(parseDuration(input), seconds, String(input));
});

t.test('parse duration - refuses anything but a positive whole duration', async (t) => {
  const bad: unknown[] = [
    0,
    -5,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    '0s',
    '-1h',
    '1h ago',
    '1.5h',
    '1 hour',
    'h',
    '1y',
    '99999999999999999d',
    null,
    {},
  ];
  for (const input of bad) {
    t.throws(
      () => parseDuration(input as string, 'options.ttl'),
      { code: 'ARQ_ERR_AUTH_OPTIONS', message: /^options\.ttl must be a positive whole number/ },
      String(input),
    );
  }
});

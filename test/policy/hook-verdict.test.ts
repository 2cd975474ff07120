import t from 'tap';
import { parseBatchVerdicts } from '../../src/policy/hook-verdict.js';
import { parseVerdict } from '../../src/policy/index.js';

t.test('hook verdict - the shapes of PROTOCOL section 6 are verdicts', async (t) => {
  t.same(parseVerdict('on_join', '{"allow":true}'), { allow: true, hasData: false, headers: null });
  t.same(parseVerdict('on_publish', '{"allow":false,"reason":"no","disconnect":true}'), {
    allow: false,
    reason: 'no',
    disconnect: true,
  });
  t.same(parseVerdict('on_publish', '{"allow":true,"data":{"a":1},"headers":{"h":"v"}}'), {
    allow: true,
    data: { a: 1 },
    hasData: true,
    headers: { h: 'v' },
  });
  t.same(parseVerdict('on_publish', '{"allow":true,"data":null}'), {
    allow: true,
    data: null,
    hasData: true,
    headers: null,
  });
});

t.test('hook verdict - anything else is a problem, not a generous reading', async (t) => {
  const bad: [Parameters<typeof parseVerdict>[0], string, RegExp][] = [
    ['on_publish', 'not json', /not JSON/],
    ['on_publish', '[true]', /not a JSON object/],
    ['on_publish', '{"allow":1}', /allow must be true or false/],
    ['on_publish', '{"allow":true,"extra":1}', /unknown member "extra"/],
    ['on_join', '{"allow":true,"data":1}', /on_join cannot rewrite/],
    ['on_publish', '{"allow":false,"data":1}', /a deny cannot rewrite/],
    ['on_publish', '{"allow":true,"disconnect":true}', /disconnect is allowed on a deny only/],
    ['on_publish', '{"allow":true,"headers":{"h":1}}', /headers must be an object of strings/],
    ['on_connect', '{"allow":false,"reason":5}', /reason must be a string/],
  ];
  for (const [hook, text, says] of bad) {
    t.match(parseVerdict(hook, text), { problem: says }, text);
  }
});

t.test(
  'hook verdict - a batch output is an array of one verdict per input, in order',
  async (t) => {
    t.same(parseBatchVerdicts('[{"allow":true},{"allow":false,"reason":"no"}]', 2), [
      { allow: true, hasData: false, headers: null },
      { allow: false, reason: 'no', disconnect: false },
    ]);
    t.same(parseBatchVerdicts('[{"allow":true}]', 2), {
      problem: 'batch of 2 answered 1 verdicts',
    });
    t.same(parseBatchVerdicts('{"allow":true}', 1), {
      problem: 'batch output is not a JSON array',
    });
    t.same(parseBatchVerdicts('[{"allow":tru', 1), { problem: 'batch output is not JSON' });
    const [good, bad] = parseBatchVerdicts('[{"allow":true},{"allow":"yes"}]', 2) as unknown[];
    t.same(good, { allow: true, hasData: false, headers: null });
    t.same(bad, { problem: 'verdict.allow must be true or false' }, 'one bad element, one problem');
  },
);

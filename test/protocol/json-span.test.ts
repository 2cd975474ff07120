import fc from 'fast-check';
import t from 'tap';
import { findMemberSpan } from '../../proto/wire/json-span.js';

function member(text: string, key: string): string | undefined {
  const span = findMemberSpan(text, key);
  return span === undefined ? undefined : text.slice(span.start, span.end);
}

t.test('json span - finds a member of any value type', async (t) => {
  t.equal(member('{"a":1,"data":{"x":[1,"]}"]},"b":2}', 'data'), '{"x":[1,"]}"]}');
  t.equal(member('{"data":"q\\"uo}te\\\\"}', 'data'), '"q\\"uo}te\\\\"');
  t.equal(member('{"data":-1.5e+3}', 'data'), '-1.5e+3');
  t.equal(member('{ "data" :\n\tnull\r\n}', 'data'), 'null');
  t.equal(member('{"data":[],"x":true}', 'data'), '[]');
  t.equal(member('{"data":12345678901234567890}', 'data'), '12345678901234567890');
});

t.test('json span - follows JSON.parse on duplicates and escaped keys', async (t) => {
  t.equal(member('{"data":1,"data":2}', 'data'), '2');
  t.equal(member('{"d\\u0061ta":3}', 'data'), '3');
  t.equal(member('{"x":{"data":1}}', 'data'), undefined, 'nested members do not count');
  t.equal(member('{}', 'data'), undefined);
});

t.test('json span - agrees with JSON.parse on generated objects', async (t) => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.jsonValue(),
      fc.constantFrom(0, 2),
      (rest, data, indent) => {
        const text = JSON.stringify({ ...rest, data }, null, indent);
        const slice = member(text, 'data');
        t.not(slice, undefined);
        t.same(JSON.parse(slice as string), JSON.parse(text).data);
      },
    ),
    { numRuns: 300 },
  );
});

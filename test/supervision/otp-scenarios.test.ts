import t from 'tap';
import { OTP_SCENARIOS } from './fixtures/otp-scenarios.js';

// Each scenario's whole journal, as a real OTP 25 supervisor produces it (otp-scenarios.escript
// prints these; otp-differential.test.ts runs it and compares where escript is installed).

const stopped = (...ids: string[]): string[] =>
  ids.flatMap((id) => [`stop:${id}`, `exit:${id}:shutdown`]);

const OTP: Readonly<Record<string, readonly string[]>> = {
  rest_for_one_failed_start: [
    ...['start:a', 'start:b', 'start:c', 'start:d'],
    'exit:b:error',
    ...stopped('d', 'c'),
    'start:b',
    'start-failed:c',
    'start:c', // the retry starts from c: b, already up again, is left alone
    'start:d',
    ...stopped('d', 'c', 'b', 'a'),
    'exit:top:shutdown',
  ],
  one_for_all_failed_start: [
    ...['start:a', 'start:b', 'start:c', 'start:d'],
    'exit:b:error',
    ...stopped('d', 'c', 'a'),
    'start:a',
    'start:b',
    'start-failed:c',
    ...stopped('b', 'a'), // the retry goes round the whole group again
    ...['start:a', 'start:b', 'start:c', 'start:d'],
    ...stopped('d', 'c', 'b', 'a'),
    'exit:top:shutdown',
  ],
  one_for_one_start_keeps_failing: [
    ...['start:a', 'start:b', 'start:c'],
    'exit:b:error',
    'start-failed:b', // restart 1
    'start-failed:b', // restart 2; the third is one too many
    ...stopped('c', 'a'),
    'exit:top:shutdown',
  ],
  rest_for_one_start_keeps_failing: [
    ...['start:a', 'start:b', 'start:c', 'start:d'],
    'exit:b:error',
    ...stopped('d', 'c'),
    'start:b',
    'start-failed:c', // restart 1
    'start-failed:c', // restart 2, from c only; the third is one too many
    ...stopped('b', 'a'),
    'exit:top:shutdown',
  ],
  transient_child_supervisor_gives_up: [
    ...['start:before', 'start:x', 'start:y', 'start:after'],
    'exit:x:error',
    'start:x', // inner's one restart
    'exit:x:error',
    ...stopped('y'), // inner gives up; the parent does not restart it...
    'exit:after:error',
    'start:after', // ...nor count it: its one restart is still there for after
    ...stopped('after', 'before'),
    'exit:top:shutdown',
  ],
  permanent_child_supervisor_gives_up: [
    ...['start:before', 'start:x', 'start:y', 'start:after'],
    'exit:x:error',
    'start:x',
    'exit:x:error',
    ...stopped('y'), // inner gives up...
    ...stopped('after'), // ...and the parent restarts it, rest_for_one
    ...['start:x', 'start:y', 'start:after'],
    ...stopped('after', 'y', 'x', 'before'),
    'exit:top:shutdown',
  ],
};

t.test('otp scenarios - every scenario has its OTP sequence', async (t) => {
  t.same(
    OTP_SCENARIOS.map((scenario) => scenario.name),
    Object.keys(OTP),
  );
});

for (const scenario of OTP_SCENARIOS) {
  t.test(`otp scenarios - ${scenario.title}`, async (t) => {
    t.same(await scenario.run(), OTP[scenario.name]);
  });
}

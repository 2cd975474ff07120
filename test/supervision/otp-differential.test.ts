import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { OTP_SCENARIOS } from './fixtures/otp-scenarios.js';

// The scenarios run in a real OTP supervisor (escript, from Debian's erlang-base) and in this
// library: the journals must be the same. The escript stays in the source tree (tsc copies no
// .escript), hence the path from dist/test/supervision back to test/supervision.
const ESCRIPT = fileURLToPath(
  new URL('../../../test/supervision/fixtures/otp-scenarios.escript', import.meta.url),
);

const run = spawnSync('escript', [ESCRIPT], { encoding: 'utf8', timeout: 120_000 });
const missing = (run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
const skip = missing
  ? 'escript is not on PATH (apt-get install erlang-base): OTP not compared'
  : false;

/** Scenario name to journal, from the escript's lines "name entry entry ...". */
function otpJournals(): Map<string, readonly string[]> {
  const journals = new Map<string, readonly string[]>();
  for (const line of (run.stdout ?? '').split('\n')) {
    const [name, ...entries] = line.trim().split(/\s+/);
    if (name) journals.set(name, entries);
  }
  return journals;
}

t.test('otp differential - the escript runs every scenario', { skip }, async (t) => {
  t.equal(run.error, undefined, 'escript started');
  t.equal(run.status, 0, `escript exited 0 (stderr: ${run.stderr})`);
  t.same(
    [...otpJournals().keys()],
    OTP_SCENARIOS.map((scenario) => scenario.name),
  );
});

for (const scenario of OTP_SCENARIOS) {
  t.test(`otp differential - ${scenario.title}`, { skip }, async (t) => {
    const otp = otpJournals().get(scenario.name);
    t.ok(otp, `OTP ran ${scenario.name}`);
    t.same(await scenario.run(), otp);
  });
}

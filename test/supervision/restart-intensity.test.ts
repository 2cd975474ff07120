import t from 'tap';
import {
  DEFAULT_MAX_RESTARTS,
  DEFAULT_PERIOD_MS,
  RestartIntensity,
  SupervisorError,
} from '../../supervision/index.js';

t.test(
  'restart intensity - maxRestarts restarts within the period pass, one more does not',
  async (t) => {
    const intensity = new RestartIntensity(3, 1_000);
    t.ok(intensity.tryRecord(0));
    t.ok(intensity.tryRecord(100));
    t.ok(intensity.tryRecord(200));
    t.notOk(intensity.tryRecord(300), 'the 4th restart within 1000 ms exceeds 3');
  },
);

t.test('restart intensity - the window slides: old restarts fall out', async (t) => {
  const intensity = new RestartIntensity(2, 1_000);
  t.ok(intensity.tryRecord(0));
  t.ok(intensity.tryRecord(600));
  t.ok(intensity.tryRecord(1_100), 'the restart at 0 is out of the window');
  t.notOk(intensity.tryRecord(1_200), '600, 1100, 1200 are three within 1000 ms');
});

t.test('restart intensity - restarts spaced beyond the period never exceed', async (t) => {
  const intensity = new RestartIntensity(1, 100);
  for (let i = 0; i < 50; i += 1) t.ok(intensity.tryRecord(i * 101), `restart ${i}`);
});

t.test('restart intensity - maxRestarts 0 refuses the first restart', async (t) => {
  t.notOk(new RestartIntensity(0, 1_000).tryRecord(0));
});

t.test('restart intensity - defaults and validation', async (t) => {
  t.equal(DEFAULT_MAX_RESTARTS, 3);
  t.equal(DEFAULT_PERIOD_MS, 5_000);
  const intensity = new RestartIntensity(2, 50);
  t.equal(intensity.maxRestarts, 2);
  t.equal(intensity.periodMs, 50);
  t.throws(() => new RestartIntensity(-1, 1_000), {
    code: 'ARQ_ERR_SUPERVISOR_OPTIONS',
    message: /options\.maxRestarts must be a non-negative integer, got -1/,
  });
  t.throws(() => new RestartIntensity(1.5, 1_000), SupervisorError);
  t.throws(() => new RestartIntensity(1, 0), /options\.periodMs must be a positive number/);
  t.throws(() => new RestartIntensity(1, Number.NaN), /options\.periodMs/);
});

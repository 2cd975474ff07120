/**
 * on_publish_batch in a real runner thread with real modules. What is submitted in one turn goes
 * to the thread in one request (as a shard's drain does), so a policy that exports the batch hook
 * gets those messages in one call; a runner with maxBatch 1 sends one message per request, so the
 * same policies decide through on_publish alone: both must agree.
 */
import t, { type Test } from 'tap';
import { compilePolicy } from '../../src/policy/compile-policy.js';
import {
  DEFAULT_POLICY_LIMITS,
  type Evaluation,
  type PolicyOutcome,
  PolicyRunner,
  type RunnerPolicy,
} from '../../src/policy/index.js';
import { type Fixture, moduleBytes } from './fixtures/policy-fixtures.js';

const LIMITS = {
  maxMemoryPages: DEFAULT_POLICY_LIMITS.maxMemoryPages,
  maxOutputBytes: DEFAULT_POLICY_LIMITS.maxOutputBytes,
  hostBytesPerCall: DEFAULT_POLICY_LIMITS.hostBytesPerCall,
};

type Module = Fixture | 'pii-redact' | 'deny-words' | 'room-firewall';

async function policy(name: string, module: Module, tenant: string | null): Promise<RunnerPolicy> {
  const compiled = await compilePolicy(moduleBytes(module), LIMITS);
  return {
    id: `${tenant ?? '*'}/${name}@1`,
    name,
    tenant,
    version: 1,
    hooks: compiled.hooks,
    // Long: a slow test machine must not turn a call into a timeout (only verdicts are tested).
    timeoutMs: 5000,
    config: compiled.config,
    module: compiled.module,
  };
}

/** Global policies first, then tenants', each in name order (as PolicyHost sorts them). */
function ordered(policies: RunnerPolicy[]): RunnerPolicy[] {
  const key = (p: RunnerPolicy) => `${p.tenant === null ? 0 : 1}/${p.tenant ?? ''}/${p.name}`;
  return [...policies].sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

async function runner(t: Test, policies: RunnerPolicy[], maxBatch?: number) {
  const r = new PolicyRunner({ name: 'test', ...LIMITS, ...(maxBatch ? { maxBatch } : {}) });
  t.teardown(() => r.close());
  await r.install(ordered(policies));
  return r;
}

function publish(tenant: string, sub: string, room: string, data: unknown): Evaluation {
  return {
    hook: 'on_publish',
    tenant,
    prefix: `{"tenant":${JSON.stringify(tenant)},"sub":${JSON.stringify(sub)},"room":${JSON.stringify(room)}`,
    data: JSON.stringify(data),
    base64: false,
    headers: {},
  };
}

/** Submits all in one turn (one request) and waits for every outcome, in order. */
function evaluateAll(r: PolicyRunner, evaluations: Evaluation[]): Promise<PolicyOutcome[]> {
  return Promise.all(
    evaluations.map((e) => new Promise<PolicyOutcome>((resolve) => r.evaluate(e, resolve))),
  );
}

const MIX: Evaluation[] = [
  publish('t1', 'alice', 'lobby', { text: 'see you at noon' }),
  publish('t1', 'alice', 'lobby', { text: 'mail jane.doe@example.com or call 0612345678' }),
  publish('t2', 'bob', 'news.eu', { text: 'well, heck' }),
  publish('t2', 'mallory', 'lobby', { text: 'hello' }),
  publish('t1', 'carol', 'vault.a', { text: 'card 4111 1111 1111 1111' }),
  publish('t2', 'alice', 'vault.a', { text: 'plain', n: [1, 'x@y.org'] }),
  publish('t1', 'dave', 'lobby', 'mail ann@example.org, frak'),
  publish('t2', 'erin', 'room.2', { text: 'nothing here' }),
  // Not ASCII: the verdict's bytes outnumber its UTF-16 length (what Host.outputString sizes by).
  publish('t1', 'zoë', 'lobby', { text: 'café, mail ann@example.org' }),
];

t.test(
  'policy runner worker - batch and per-message calls give the same verdicts and rewrites',
  async (t) => {
    const policies = await Promise.all([
      policy('pii', 'pii-redact', null),
      policy('words', 'deny-words', null),
      policy('firewall', 'room-firewall', null),
      policy('words-t1', 'deny-words', 't1'),
    ]);
    const batched = await evaluateAll(await runner(t, policies), MIX);
    const single = await evaluateAll(await runner(t, policies, 1), MIX);
    t.same(batched, single);
    // And they are the verdicts the mix was written for.
    t.same(
      batched.map((o) => (o.allow ? (o.data ?? 'unchanged') : `denied by ${o.deniedBy?.name}`)),
      [
        'unchanged',
        '{"text":"mail [redacted] or call [redacted]"}',
        'denied by words',
        'denied by firewall',
        'denied by firewall',
        '{"text":"plain","n":[1,"[redacted]"]}',
        'denied by words',
        'unchanged',
        '{"text":"café, mail [redacted]"}',
      ],
    );
  },
);

t.test('policy runner worker - a batch hook decides what is sent together', async (t) => {
  const r = await runner(t, [await policy('marks', 'batch-marks', null)]);
  const two = await evaluateAll(r, [MIX[0] as Evaluation, MIX[1] as Evaluation]);
  t.same(
    two.map((o) => o.headers),
    [{ via: 'batch' }, { via: 'batch' }],
  );
  const one = await evaluateAll(r, [MIX[2] as Evaluation]);
  t.same(one[0]?.headers, { via: 'single' }, 'one message alone: on_publish');
});

t.test(
  'policy runner worker - rewrites chain across batched and per-message policies in order',
  async (t) => {
    const policies = await Promise.all([
      policy('pii', 'pii-redact', null),
      policy('marks', 'batch-marks', null),
      policy('a', 'append-a', 't1'),
      policy('b', 'append-b', 't1'),
    ]);
    const r = await runner(t, policies);
    const outcomes = await evaluateAll(r, [
      publish('t1', 'u', 'r1', 'mail jane@example.com'),
      publish('t2', 'u', 'r2', 'mail jane@example.com'),
      publish('t1', 'u', 'r3', 'hi'),
    ]);
    t.same(
      outcomes.map((o) => [o.allow, o.data, o.headers]),
      [
        // pii (batch), marks (batch), then t1's a and b (on_publish only), each on the last output
        [true, '"mail [redacted]ab"', { via: 'batch' }],
        [true, '"mail [redacted]"', { via: 'batch' }],
        [true, '"hiab"', { via: 'batch' }],
      ],
    );
  },
);

t.test(
  'policy runner worker - a batch answering the wrong number of verdicts denies all of it',
  async (t) => {
    const r = await runner(t, [
      await policy('bad', 'batch-wrong-length', null),
      await policy('pii', 'pii-redact', 't9'),
    ]);
    const outcomes = await evaluateAll(r, [MIX[0], MIX[1], MIX[2]] as Evaluation[]);
    for (const o of outcomes) {
      t.match(o, {
        allow: false,
        reason: 'policy bad failed: bad verdict (batch of 3 answered 1 verdicts)',
        deniedBy: { name: 'bad' },
        failures: [{ policy: 'bad', kind: 'bad_verdict' }],
      });
    }
    const alone = await evaluateAll(r, [MIX[0] as Evaluation]);
    t.match(alone, [{ allow: true }], 'one message alone goes through on_publish, which allows');
  },
);

t.test('policy runner worker - a module with on_publish only is called per message', async (t) => {
  const r = await runner(t, [await policy('a', 'append-a', null)]);
  const outcomes = await evaluateAll(r, [
    publish('t1', 'u', 'r', 'x'),
    publish('t2', 'u', 'r', 'y'),
    publish('t1', 'u', 'r', { not: 'a string' }),
  ]);
  t.same(
    outcomes.map((o) => [o.allow, o.data]),
    [
      [true, '"xa"'],
      [true, '"ya"'],
      [true, null],
    ],
  );
});

t.test(
  'policy runner worker - a batch call past its budget fails every message of it, then runs on',
  async (t) => {
    const loop = { ...(await policy('loop', 'batch-loop', null)), timeoutMs: 20 };
    const restarts: string[] = [];
    const restarting = new PolicyRunner({
      name: 'test',
      ...LIMITS,
      onRestart: (why) => restarts.push(why),
    });
    t.teardown(() => restarting.close());
    await restarting.install([loop]);
    const outcomes = await evaluateAll(restarting, [MIX[0], MIX[1], MIX[2]] as Evaluation[]);
    for (const o of outcomes) {
      t.match(o, {
        allow: false,
        reason: 'policy loop failed: timed out (over its budget of 60 ms)',
        failures: [{ policy: 'loop', kind: 'timeout' }],
      });
    }
    t.match(restarts, [/restarted during a hook call: timed out/]);
    const alone = await evaluateAll(restarting, [MIX[3] as Evaluation]);
    t.match(alone, [{ allow: true }], 'the new thread serves the next message');
  },
);

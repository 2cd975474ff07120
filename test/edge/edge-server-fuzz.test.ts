import fc from 'fast-check';
import t, { type Test } from 'tap';
import { WIRE_ERROR_CODES } from '../../proto/wire/index.js';
import { startTestNode } from '../helpers/test-node.js';
import { type Entry, type Frame, nextRef, TestClient } from '../helpers/ws-client.js';

const MAX_FRAME = 2048;
const BAD_CODES = ['bad_frame', 'unknown_op', 'too_large'];
/** What a frame may be refused with here; never `internal`, never a code outside the closed set. */
const ALLOWED = new Set(WIRE_ERROR_CODES.filter((code) => code !== 'internal'));

const server = await startTestNode({
  'max-frame-bytes': String(MAX_FRAME),
  'bad-frame-budget': '1000000',
  'publish-rate': '100000',
  'publish-burst': '100000',
});
t.teardown(() => server.close());

/** A fresh connection; `probe` sends one input and returns every frame up to a ping's reply. */
async function connection(t: Test) {
  const { client } = await TestClient.connect(server.url, await server.token({ rooms: ['>'] }));
  t.teardown(() => client.close());
  const probe = async (send: () => void): Promise<Entry[]> => {
    send();
    const ref = nextRef();
    client.send({ op: 'ping', ref });
    const entries: Entry[] = [];
    for (;;) {
      const entry = await client.nextEntry();
      if (entry.frame.op === 'reply' && entry.frame.ref === ref) return entries;
      entries.push(entry);
    }
  };
  return { client, probe };
}

/** After the fuzzing: still open, and a join, a publish and its delivery work. */
async function stillWorks(t: Test, client: TestClient): Promise<void> {
  t.notOk(client.isClosed, 'the connection stayed open');
  t.match(await client.request({ op: 'join', room: 'after.fuzz' }), { status: 'ok' });
  t.match(await client.request({ op: 'publish', room: 'after.fuzz', data: { ok: true } }), {
    status: 'ok',
  });
  t.match(await client.nextWhere((f) => f.op === 'message'), { data: { ok: true } });
}

const errorCode = (f: Frame) => (f.error as { code?: string } | undefined)?.code ?? '';

const notAnObject = (text: string): boolean => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value !== 'object' || value === null || Array.isArray(value);
  } catch {
    return true;
  }
};

t.test('edge fuzz - random strings and JSON values: one bad_frame error each', async (t) => {
  const { client, probe } = await connection(t);
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.string({ minLength: MAX_FRAME + 1, maxLength: MAX_FRAME + 50 }),
  );
  await fc.assert(
    fc.asyncProperty(text.filter(notAnObject), async (input) => {
      const answers = (await probe(() => client.send(input))).map((e) => e.frame);
      const [answer] = answers;
      if (
        answers.length !== 1 ||
        answer?.op !== 'error' ||
        !BAD_CODES.includes(errorCode(answer))
      ) {
        throw new Error(`answered ${JSON.stringify(answers)}`);
      }
    }),
    { numRuns: 150 },
  );
  await stillWorks(t, client);
});

const ROOMS = fc.constantFrom('a', 'b.c', 'lobby', '', 'x..y', 'a.*', 'é', 'r'.repeat(300));
const validFrame = fc.oneof(
  fc.record({ op: fc.constant('join'), room: ROOMS, meta: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ op: fc.constant('leave'), room: ROOMS }),
  fc.record({ op: fc.constant('publish'), room: ROOMS, data: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ op: fc.constant('ping') }),
  fc.record({ op: fc.constant('refresh'), token: fc.string({ maxLength: 30 }) }),
);
type Mutation = { kind: 'drop' | 'set'; key: string; value?: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('drop', 'set'),
  key: fc.constantFrom('op', 'room', 'data', 'meta', 'since', 'headers', 'echo', 'token', 'x'),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 5 })),
});

t.test('edge fuzz - mutated frames with a ref: exactly one reply, never internal', async (t) => {
  const { client, probe } = await connection(t);
  const refs: string[] = [];
  const entries: Entry[] = [];
  await fc.assert(
    fc.asyncProperty(validFrame, fc.array(mutation, { maxLength: 3 }), async (frame, muts) => {
      const mutated: Record<string, unknown> = { ...frame };
      for (const m of muts) {
        if (m.kind === 'drop') delete mutated[m.key];
        else mutated[m.key] = m.value;
      }
      const ref = nextRef();
      refs.push(ref);
      entries.push(...(await probe(() => client.send({ ...mutated, ref }))));
    }),
    { numRuns: 200 },
  );
  // Joins and publishes are answered by the room: a last join through the shard comes after them.
  const last = await client.exchange({ op: 'join', room: 'last' });
  const replies = [...entries.map((e) => e.frame), ...last.before].filter((f) => f.op === 'reply');
  const problems: string[] = [];
  for (const ref of refs) {
    const mine = replies.filter((f) => f.ref === ref);
    if (mine.length !== 1) problems.push(`${mine.length} replies to ${ref}`);
    const code = mine[0]?.status === 'error' ? errorCode(mine[0]) : 'ok';
    if (code !== 'ok' && !ALLOWED.has(code as never)) problems.push(`${ref} refused with ${code}`);
  }
  t.same(problems, [], `${refs.length} frames, one reply each, none internal`);
  t.ok(
    replies.some((f) => f.status === 'ok') && replies.some((f) => f.status === 'error'),
    'the generator reaches both outcomes',
  );
  await stillWorks(t, client);
});

t.test(
  'edge fuzz - random bytes as binary frames: answered in binary, never internal',
  async (t) => {
    const { client, probe } = await connection(t);
    let errors = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
        for (const entry of await probe(() => client.sendBinary(bytes))) {
          if (!entry.binary) throw new Error('a binary frame answered in JSON');
          const code = errorCode(entry.frame);
          if (code === '') continue;
          errors++;
          if (!ALLOWED.has(code as never)) throw new Error(`refused with ${code}`);
        }
      }),
      { numRuns: 200 },
    );
    t.ok(errors > 0, 'most random bytes are bad frames');
    await stillWorks(t, client);
  },
);

t.test('edge fuzz - a text frame that is not UTF-8 fails only its own connection', async (t) => {
  const { client: bystander } = await connection(t);
  const { client: sender } = await connection(t);
  // `{"op":"ping","ref":"\xff\xfe"}`: JSON-shaped, but not UTF-8.
  const bytes = Buffer.concat([
    Buffer.from('{"op":"ping","ref":"'),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('"}'),
  ]);
  sender.sendTextBytes(bytes);
  const { code } = await sender.closed;
  // RFC 6455 8.1 requires failing the connection; uWS closes it without a close frame.
  t.equal(code, 1006, 'the sender was disconnected');
  await stillWorks(t, bystander);
  const { client: next } = await connection(t);
  t.match(await next.request({ op: 'ping' }), { status: 'ok' }, 'new connections are accepted');
});

import t from 'tap';
import {
  INTERNAL_ERROR_MESSAGE,
  isWireErrorCode,
  toWireError,
  WIRE_ERROR_TABLE,
  WireError,
  type WireErrorCode,
} from '../../proto/wire/index.js';

class FakeModuleError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

t.test('to wire error - maps internal codes by the table', async (t) => {
  const cases: [string, WireErrorCode][] = [
    ['ARQ_ERR_TOKEN_EXPIRED', 'unauthorized'],
    ['ARQ_ERR_TOKEN_SIGNATURE', 'unauthorized'],
    ['ARQ_ERR_TOKEN_ALG', 'unauthorized'],
    ['ARQ_ERR_SHARD_DOWN', 'overloaded'],
    ['ARQ_ERR_ROOM_OVERLOADED', 'overloaded'],
    ['ARQ_ERR_RING_FULL', 'overloaded'],
    ['ARQ_ERR_MAX_CHILDREN', 'overloaded'],
    ['ARQ_ERR_ASK_TIMEOUT', 'overloaded'],
    ['ARQ_ERR_ROOM_STOPPED', 'overloaded'],
    ['ARQ_ERR_NOT_JOINED', 'not_joined'],
    ['ARQ_ERR_ROOM_NAME', 'bad_frame'],
  ];
  for (const [internal, wire] of cases) {
    const cause = new FakeModuleError(internal, 'secret detail: shard 3, /var/lib/x');
    const err = toWireError(cause);
    t.equal(err.code, wire, internal);
    t.equal(err.cause, cause, `${internal} keeps its cause`);
  }
});

t.test('to wire error - every table rule names a wire code', async (t) => {
  for (const [internal, rule] of Object.entries(WIRE_ERROR_TABLE)) {
    t.ok(isWireErrorCode(rule.code), internal);
    t.match(internal, /^ARQ_ERR_[A-Z_]+$/);
  }
});

t.test('to wire error - internal messages are not forwarded, client-input ones are', async (t) => {
  const hidden = toWireError(new FakeModuleError('ARQ_ERR_RING_FULL', 'ring 2->5 full at 0x7f'));
  t.notMatch(hidden.message, /ring 2->5/);
  const forwarded = toWireError(
    new FakeModuleError('ARQ_ERR_ROOM_NAME', 'room name segment 2 is empty'),
  );
  t.equal(forwarded.message, 'room name segment 2 is empty');
});

t.test('to wire error - unknown errors are internal with a generic message', async (t) => {
  const inputs: unknown[] = [
    new Error('ENOENT /etc/secret'),
    new FakeModuleError('ARQ_ERR_SOMETHING_NEW', 'detail'),
    new FakeModuleError('toString', 'inherited names are not rules'),
    { code: 42 },
    'a string',
    undefined,
    null,
  ];
  for (const input of inputs) {
    const err = toWireError(input);
    t.equal(err.code, 'internal');
    t.equal(err.message, INTERNAL_ERROR_MESSAGE);
    t.equal(err.cause, input);
  }
});

t.test('to wire error - a wire error passes through unchanged', async (t) => {
  const err = new WireError('forbidden', 'no');
  t.equal(toWireError(err), err);
});

t.test('to wire error - plain objects with a code (from another thread) map too', async (t) => {
  t.equal(toWireError({ code: 'ARQ_ERR_ASK_TIMEOUT', message: 'x' }).code, 'overloaded');
});

t.test('to wire error - the table is extensible by passing another one', async (t) => {
  const table = {
    ...WIRE_ERROR_TABLE,
    ARQ_ERR_CUSTOM: { code: 'policy_denied' as const, message: null },
  };
  const err = toWireError(new FakeModuleError('ARQ_ERR_CUSTOM', 'blocked word'), table);
  t.equal(err.code, 'policy_denied');
  t.equal(err.message, 'blocked word');
  t.ok(Object.isFrozen(WIRE_ERROR_TABLE), 'the default table cannot be changed at run time');
});

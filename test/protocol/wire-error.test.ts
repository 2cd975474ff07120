import t from 'tap';
import {
  CLOSE_DRAINING,
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_POLICY_DROP,
  CLOSE_POLICY_VIOLATION,
  CLOSE_SLOW_CONSUMER,
  CLOSE_TOKEN_EXPIRED,
  isWireErrorCode,
  WIRE_ERROR_CODES,
  WireError,
} from '../../proto/wire/index.js';

t.test('wire error - the closed set is exactly docs/protocol.md, "Errors"', async (t) => {
  t.same([...WIRE_ERROR_CODES].sort(), [
    'bad_frame',
    'forbidden',
    'internal',
    'no_such_room',
    'not_joined',
    'overloaded',
    'policy_denied',
    'rate_limited',
    'too_large',
    'unauthorized',
    'unknown_op',
  ]);
  t.ok(Object.isFrozen(WIRE_ERROR_CODES));
  t.ok(isWireErrorCode('forbidden'));
  t.notOk(isWireErrorCode('FORBIDDEN'));
  t.notOk(isWireErrorCode('ARQ_ERR_RING_FULL'));
  t.notOk(isWireErrorCode(42));
});

t.test('wire error - keeps code, message and cause; serializes to the wire shape', async (t) => {
  const cause = new RangeError('inner');
  const err = new WireError('too_large', 'frame too large', { cause });
  t.ok(err instanceof Error);
  t.equal(err.name, 'WireError');
  t.equal(err.code, 'too_large');
  t.equal(err.message, 'frame too large');
  t.equal(err.cause, cause);
  t.equal(JSON.stringify(err), '{"code":"too_large","message":"frame too large"}');
});

t.test('wire error - close codes are those of the contract', async (t) => {
  t.equal(CLOSE_TOKEN_EXPIRED, 4001);
  t.equal(CLOSE_POLICY_DROP, 4003);
  t.equal(CLOSE_SLOW_CONSUMER, 4008);
  t.equal(CLOSE_DRAINING, 4009);
  t.equal(CLOSE_POLICY_VIOLATION, 1008);
  t.equal(CLOSE_MESSAGE_TOO_BIG, 1009);
});

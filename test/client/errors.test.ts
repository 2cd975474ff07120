import t from 'tap';
import { WIRE_ERROR_CODES as SERVER_CODES } from '../../proto/wire/index.js';
import { ArqonClientError, isWireErrorCode, WIRE_ERROR_CODES } from '../../src/client/index.js';

t.test('errors - the client knows exactly the server error codes', async (t) => {
  t.same([...WIRE_ERROR_CODES].sort(), [...SERVER_CODES].sort());
});

t.test('errors - wire codes are from the server, client codes are not', async (t) => {
  const cause = new Error('socket');
  const wire = new ArqonClientError('forbidden', 'no');
  const local = new ArqonClientError('ARQ_CLIENT_TIMEOUT', 'late', { cause });
  t.equal(wire.fromServer, true);
  t.equal(local.fromServer, false);
  t.equal(local.cause, cause);
  t.equal(local.name, 'ArqonClientError');
  t.ok(local instanceof Error);
  t.equal(isWireErrorCode('forbidden'), true);
  t.equal(isWireErrorCode('ARQ_CLIENT_TIMEOUT'), false);
  t.equal(isWireErrorCode(3), false);
});

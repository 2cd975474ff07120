import t from 'tap';
import {
  CLOSE_DRAINING as SERVER_DRAINING,
  CLOSE_POLICY_DROP as SERVER_POLICY_DROP,
  CLOSE_POLICY_VIOLATION as SERVER_POLICY_VIOLATION,
  CLOSE_SLOW_CONSUMER as SERVER_SLOW_CONSUMER,
  CLOSE_TOKEN_EXPIRED as SERVER_TOKEN_EXPIRED,
} from '../../proto/wire/index.js';
import {
  CLOSE_DRAINING,
  CLOSE_POLICY_DROP,
  CLOSE_POLICY_VIOLATION,
  CLOSE_SLOW_CONSUMER,
  CLOSE_TOKEN_EXPIRED,
  shouldReconnect,
} from '../../src/client/index.js';

t.test('close policy - the client copies the server close codes', async (t) => {
  t.same(
    [
      CLOSE_TOKEN_EXPIRED,
      CLOSE_POLICY_DROP,
      CLOSE_SLOW_CONSUMER,
      CLOSE_DRAINING,
      CLOSE_POLICY_VIOLATION,
    ],
    [
      SERVER_TOKEN_EXPIRED,
      SERVER_POLICY_DROP,
      SERVER_SLOW_CONSUMER,
      SERVER_DRAINING,
      SERVER_POLICY_VIOLATION,
    ],
  );
});

t.test('close policy - policy closes never reconnect', async (t) => {
  for (const code of [CLOSE_POLICY_DROP, CLOSE_POLICY_VIOLATION]) {
    t.equal(shouldReconnect(code, false), false, `${code}`);
    t.equal(shouldReconnect(code, true), false, `${code} with a token function`);
  }
});

t.test('close policy - an expired token reconnects only with a token function', async (t) => {
  t.equal(shouldReconnect(CLOSE_TOKEN_EXPIRED, false), false);
  t.equal(shouldReconnect(CLOSE_TOKEN_EXPIRED, true), true);
});

t.test('close policy - draining, slow consumer and dropped sockets reconnect', async (t) => {
  for (const code of [CLOSE_DRAINING, CLOSE_SLOW_CONSUMER, 1000, 1001, 1006, 1009, 1011]) {
    t.equal(shouldReconnect(code, false), true, `${code}`);
  }
});

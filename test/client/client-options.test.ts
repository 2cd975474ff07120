import t, { type Test } from 'tap';
import WebSocket from 'ws';
import { resolveClientOptions } from '../../src/client/client-options.js';
import {
  DEFAULT_BACKOFF,
  DEFAULT_HEARTBEAT,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from '../../src/client/index.js';

const base = { url: 'ws://127.0.0.1:1/ws', token: 'tok', WebSocket };

function rejects(t: Test, options: object, message: RegExp): void {
  t.throws(() => resolveClientOptions(options as never), {
    code: 'ARQ_CLIENT_INVALID_OPTION',
    message,
  });
}

t.test('client options - defaults fill everything', async (t) => {
  const resolved = resolveClientOptions(base);
  t.same(resolved.urls, ['ws://127.0.0.1:1/ws']);
  t.equal(resolved.reconnect, DEFAULT_BACKOFF);
  t.equal(resolved.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS);
  t.equal(resolved.heartbeat, DEFAULT_HEARTBEAT);
  t.equal(resolved.onStateChange, null);
  t.equal(resolved.random, Math.random);
  t.equal(resolved.WebSocket, WebSocket);
});

t.test('client options - partial backoff merges with the defaults; false disables', async (t) => {
  t.same(resolveClientOptions({ ...base, reconnect: { initialDelayMs: 10 } }).reconnect, {
    ...DEFAULT_BACKOFF,
    initialDelayMs: 10,
  });
  t.equal(resolveClientOptions({ ...base, reconnect: false }).reconnect, null);
  t.same(resolveClientOptions({ ...base, url: ['ws://a/ws', 'wss://b/ws'] }).urls, [
    'ws://a/ws',
    'wss://b/ws',
  ]);
});

t.test('client options - every bad option is named in the error', async (t) => {
  rejects(
    t,
    { ...base, url: 'http://x/ws' },
    /^options\.url must be a ws:\/\/ or wss:\/\/ URL, got "http:\/\/x\/ws"/,
  );
  rejects(t, { ...base, url: 'not a url' }, /^options\.url must be/);
  rejects(t, { ...base, url: [] }, /^options\.url must not be an empty array/);
  rejects(t, { ...base, url: ['ws://a/ws', 7] }, /^options\.url\[1\] must be/);
  rejects(t, { ...base, token: '' }, /^options\.token must be a non-empty string or a function/);
  rejects(t, { ...base, token: 5 }, /^options\.token/);
  rejects(t, { ...base, WebSocket: 'ws' }, /^options\.WebSocket must be a WebSocket constructor/);
  rejects(t, { ...base, reconnect: true }, /^options\.reconnect must be an object or false/);
  rejects(
    t,
    { ...base, reconnect: { factor: 0.5 } },
    /^options\.reconnect\.factor must be a finite number >= 1, got 0.5/,
  );
  rejects(
    t,
    { ...base, reconnect: { jitter: 2 } },
    /^options\.reconnect\.jitter must be a finite number between 0 and 1/,
  );
  rejects(t, { ...base, reconnect: { initialDelayMs: -1 } }, /^options\.reconnect\.initialDelayMs/);
  rejects(
    t,
    { ...base, reconnect: { initialDelayMs: 100, maxDelayMs: 50 } },
    /^options\.reconnect\.maxDelayMs must be >= initialDelayMs/,
  );
  rejects(
    t,
    { ...base, requestTimeoutMs: 0 },
    /^options\.requestTimeoutMs must be a finite number >= 1, got 0/,
  );
  rejects(t, { ...base, heartbeat: 'yes' }, /^options\.heartbeat must be a boolean/);
  rejects(t, { ...base, onStateChange: 1 }, /^options\.onStateChange must be a function/);
  rejects(t, { ...base, random: 1 }, /^options\.random must be a function/);
  rejects(t, null as never, /^options must be an object/);
});

t.test('client options - WebSocket defaults to the global one, if any', async (t) => {
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  const { WebSocket: _omitted, ...withoutWs } = base;
  if (global === undefined) {
    rejects(t, withoutWs, /^options\.WebSocket is required: this runtime has no global WebSocket/);
  } else {
    t.equal(resolveClientOptions(withoutWs).WebSocket, global);
  }
});

/** Shared by the client's integration tests: clients on real nodes, and waiting for events. */
import WebSocket from 'ws';
import { ArqonClient, type ArqonClientOptions } from '../../src/client/index.js';

/** Node 20 has no global WebSocket: every test client gets `ws`'s class. */
export function newClient(options: Omit<ArqonClientOptions, 'WebSocket'>): ArqonClient {
  return new ArqonClient({ WebSocket, ...options });
}

/**
 * The first value passed to a listener (registered with `on`, which returns its remover) that
 * satisfies `accept`; rejects after a generous timeout so a missing event fails the test.
 */
export function nextEvent<T>(
  on: (listener: (value: T) => void) => () => void,
  accept: (value: T) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = on((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

/** Polls `check` until it returns true (state built up by several events). */
export async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

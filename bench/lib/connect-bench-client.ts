import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchClient, BenchClientOptions } from './bench-client.js';
import { JsonWsClient } from './json-ws-client.js';
import { SocketIoBenchClient } from './socket-io-bench-client.js';

const RETRY_PAUSE_MS = 200;

export interface JoinedClient {
  readonly client: BenchClient;
  /** Failed attempts (refused, timed out, or closed before the join was confirmed). */
  readonly retries: number;
}

export function connectBenchClient(options: BenchClientOptions): Promise<BenchClient> {
  return options.protocol === 'socketio'
    ? SocketIoBenchClient.connect(options)
    : JsonWsClient.connect(options);
}

/**
 * Connects and joins `room`, starting over up to `attempts` times in all. Failed attempts are
 * counted, not hidden: the benches report them. `onClose` is passed on only for a connection whose
 * join was confirmed.
 */
export async function connectAndJoin(
  options: BenchClientOptions,
  room: string,
  attempts: number,
): Promise<JoinedClient> {
  for (let attempt = 1; ; attempt++) {
    let joined = false;
    let client: BenchClient | null = null;
    try {
      client = await connectBenchClient({
        ...options,
        handlers: {
          onDelivery: options.handlers.onDelivery,
          onError: options.handlers.onError,
          onClose: (reason) => {
            if (joined) options.handlers.onClose(reason);
          },
        },
      });
      await client.join(room);
      joined = true;
      return { client, retries: attempt - 1 };
    } catch (error) {
      client?.close();
      if (attempt >= attempts) throw error;
      await sleep(RETRY_PAUSE_MS * attempt);
    }
  }
}

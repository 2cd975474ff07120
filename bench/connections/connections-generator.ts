/*
 * A connections-bench generator process (forked by connections-bench): opens its share of idle,
 * authenticated connections from one 127.0.0.x source address, joins each to its room, then holds
 * them open (answering pings) until told to stop. Stays well below the 20,000 fds a process may hold.
 */
import { TokenSigner } from '../../src/auth/index.js';
import { type BenchClient, connectAndJoin, GeneratorPort, runLimited } from '../lib/index.js';
import type { ConnectionsCommand, ConnectionsReport } from './connections-messages.js';

const CONNECT_ATTEMPTS = 3;
const TOKEN_TTL = '2h';

const clients: BenchClient[] = [];
let closed = 0;
let retries = 0;
const errors: Record<string, number> = {};
const handlers = {
  onDelivery(): void {},
  onError(code: string): void {
    errors[code] = (errors[code] ?? 0) + 1;
  },
  onClose(): void {
    closed++;
  },
};

async function setup(command: Extract<ConnectionsCommand, { type: 'setup' }>): Promise<void> {
  const started = Date.now();
  const signer = command.secret === null ? null : new TokenSigner({ secret: command.secret });
  await runLimited(command.count, command.concurrency, async (i) => {
    const index = command.firstIndex + i;
    const sub = `u${index}`;
    const token =
      signer === null
        ? null
        : await signer.sign({ tenant: command.tenant, sub, rooms: ['>'], ttl: TOKEN_TTL });
    const joined = await connectAndJoin(
      {
        protocol: command.protocol,
        url: command.url,
        token,
        sub,
        localAddress: command.localAddress,
        timeoutMs: command.timeoutMs,
        handlers,
      },
      `room-${Math.floor(index / command.roomSize)}`,
      CONNECT_ATTEMPTS,
    );
    retries += joined.retries;
    clients.push(joined.client);
  });
  port.report({
    type: 'ready',
    connected: clients.length,
    retries,
    setupMs: Date.now() - started,
  });
}

const port = new GeneratorPort<ConnectionsCommand, ConnectionsReport>(
  (command): void | Promise<void> => {
    switch (command.type) {
      case 'setup':
        return setup(command);
      case 'check':
        return port.report({ type: 'status', open: clients.length - closed, closed, errors });
      case 'stop':
        for (const client of clients) client.close();
        return port.report({ type: 'stopped' });
    }
  },
);

/*
 * A presence-bench generator process (forked by presence-bench): opens its share of members from
 * one 127.0.0.x source address and joins each to the one presence room. Every member counts the
 * presence frames and bytes it receives; every `sampleEvery`-th member also applies them as the
 * SDK does (src/client's Presence) and notes when its view holds `target` entries. Full views for
 * all 5,000 members of a process would be 50 million metas: the sample is what makes it fit.
 */
import { TokenSigner } from '../../src/auth/index.js';
import { Presence, type Presences } from '../../src/client/index.js';
import { ArqWsConnection, GeneratorPort, runLimited } from '../lib/index.js';
import type { PresenceCommand, PresenceReport } from './presence-messages.js';

const CONNECT_ATTEMPTS = 3;
const TOKEN_TTL = '2h';
/** `{"op":"presence_`: every presence frame starts so (the server writes `op` first). */
const PRESENCE_PREFIX = Buffer.from('{"op":"presence_');

interface PresenceFrame {
  readonly op: 'presence_state' | 'presence_diff';
  readonly presences?: Presences;
  readonly joins?: Presences;
  readonly leaves?: Presences;
}

const connections: ArqWsConnection[] = [];
const views: Presence[] = [];
let setup: Extract<PresenceCommand, { type: 'setup' }> | null = null;
let signer: TokenSigner | null = null;
let frames = 0;
let bytes = 0;
let lastFrameAt = 0;
let converged = 0;
let convergedAt = 0;
let closed = 0;
let retries = 0;
const errors: Record<string, number> = {};

function startsWith(data: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return (
    end - start >= prefix.length &&
    data.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0
  );
}

/** The view of a sampled member: applied as the SDK applies it, converged once at `target`. */
function sampledView(target: number): (frame: PresenceFrame) => void {
  const view = new Presence();
  views.push(view);
  let done = false;
  return (frame) => {
    if (frame.op === 'presence_state') view.syncState(frame.presences ?? {});
    else view.syncDiff({ joins: frame.joins ?? {}, leaves: frame.leaves ?? {} });
    if (!done && view.size >= target) {
      done = true;
      converged++;
      convergedAt = Date.now();
    }
  };
}

async function token(index: number): Promise<string> {
  if (setup === null || signer === null) throw new TypeError('setup first');
  return signer.sign({ tenant: setup.tenant, sub: `u${index}`, rooms: ['>'], ttl: TOKEN_TTL });
}

async function member(
  index: number,
  onPresence: ((frame: PresenceFrame, size: number) => void) | null,
): Promise<ArqWsConnection> {
  const s = setup!;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < CONNECT_ATTEMPTS; attempt++) {
    if (attempt > 0) retries++;
    try {
      const connection = await ArqWsConnection.connect({
        url: s.url,
        query: `token=${await token(index)}`,
        timeoutMs: s.timeoutMs,
        localAddress: s.localAddress,
        onRaw: (data, start, end) => {
          if (!startsWith(data, start, end, PRESENCE_PREFIX)) return false;
          frames++;
          bytes += end - start;
          lastFrameAt = Date.now();
          onPresence?.(JSON.parse(data.toString('utf8', start, end)) as PresenceFrame, end - start);
          return true;
        },
        onControl: () => {},
        onError: (code) => {
          errors[code] = (errors[code] ?? 0) + 1;
        },
        onClose: () => {
          closed++;
        },
      });
      await connection.join(s.room);
      return connection;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function runSetup(command: Extract<PresenceCommand, { type: 'setup' }>): Promise<void> {
  setup = command;
  signer = new TokenSigner({ secret: command.secret });
  const firstJoinAt = Date.now();
  await runLimited(command.count, command.concurrency, async (i) => {
    const index = command.firstIndex + i;
    const sampled = index % command.sampleEvery === 0 || i === command.count - 1;
    const apply = sampled ? sampledView(command.target) : null;
    connections.push(await member(index, apply));
  });
  port.report({ type: 'joined', firstJoinAt, lastJoinedAt: Date.now(), retries });
}

async function late(index: number): Promise<void> {
  let sentAt = 0;
  const stated = new Promise<{ entries: number; stateBytes: number }>((resolve) => {
    void member(index, (frame, size) => {
      if (frame.op === 'presence_state')
        resolve({ entries: Object.keys(frame.presences ?? {}).length, stateBytes: size });
    }).then((connection) => connections.push(connection));
    sentAt = Date.now();
  });
  const { entries, stateBytes } = await stated;
  // sentAt includes the connect and the token check: an upper bound on the join's own time.
  port.report({ type: 'late', stateMs: Date.now() - sentAt, entries, stateBytes });
}

const port = new GeneratorPort<PresenceCommand, PresenceReport>((command): void | Promise<void> => {
  switch (command.type) {
    case 'setup':
      return runSetup(command);
    case 'late':
      return late(command.index);
    case 'check':
      return port.report({
        type: 'status',
        members: connections.length,
        open: connections.length - closed,
        converged,
        sampled: views.length,
        convergedAt: converged === views.length ? convergedAt : 0,
        frames,
        bytes,
        lastFrameAt,
        errors,
      });
    case 'stop':
      for (const connection of connections) connection.close();
      return port.report({ type: 'stopped' });
  }
});

import WebSocket from 'ws';
import { ArqonClient, ArqonClientError, type RoomMessage } from '../client/index.js';
import { CliError } from './cli-error.js';
import { parseFlags } from './parse-flags.js';
import { parseSince } from './parse-since.js';

export const DEFAULT_CLI_URL = 'ws://127.0.0.1:7070/ws';
const DEFAULT_TAIL_LINES = 10;

interface Connection {
  readonly client: ArqonClient;
  readonly room: string;
}

/** --url/ARQ_URL, --token/ARQ_TOKEN and --room, shared by pub, sub and tail. */
async function open(flags: Record<string, string | boolean | undefined>): Promise<Connection> {
  const url = typeof flags.url === 'string' ? flags.url : (process.env.ARQ_URL ?? DEFAULT_CLI_URL);
  const token = typeof flags.token === 'string' ? flags.token : process.env.ARQ_TOKEN;
  if (!token) throw new CliError('--token (or ARQ_TOKEN) is required');
  if (typeof flags.room !== 'string') throw new CliError('--room is required');
  // Node 20 has no global WebSocket: the CLI brings ws.
  const client = new ArqonClient({ url, token, WebSocket: WebSocket as never });
  await client.connect();
  return { client, room: flags.room };
}

/** `arq pub --room R --data JSON [--header k=v ...]`: publishes once and prints the reply. */
export async function pubCommand(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, [
    { name: 'url' },
    { name: 'token' },
    { name: 'room' },
    { name: 'data' },
  ]);
  if (typeof flags.data !== 'string')
    throw new CliError('--data is required (JSON, or a plain string)');
  let data: unknown;
  try {
    data = JSON.parse(flags.data);
  } catch {
    data = flags.data;
  }
  const { client, room } = await open(flags);
  try {
    const reply = await client.publish(room, data);
    console.log(JSON.stringify(reply));
    return 0;
  } finally {
    client.close();
  }
}

/**
 * `arq sub --room R` prints each message as a JSON line until interrupted; `arq tail --room R
 * [--lines N]` first replays the room's last N messages (from its kept history) and then follows;
 * `arq tail --room R --since 10m` replays what the room kept from that time on, then follows: one
 * join `since {"ts"}`, so the replay and the live messages meet without a gap or an overlap.
 * `--since` and `--lines` are two ways to say where to start, so together they are refused.
 */
export async function subCommand(args: readonly string[], tail: boolean): Promise<number> {
  const flags = parseFlags(args, [
    { name: 'url' },
    { name: 'token' },
    { name: 'room' },
    { name: 'lines' },
    { name: 'since' },
  ]);
  if (!tail && flags.since !== undefined) throw new CliError('--since is an option of arq tail');
  if (flags.since !== undefined && flags.lines !== undefined)
    throw new CliError(
      '--since and --lines cannot be used together: pick a start by time or by count',
    );
  const since = typeof flags.since === 'string' ? parseSince(flags.since, Date.now()) : null;
  const lines = typeof flags.lines === 'string' ? Number(flags.lines) : DEFAULT_TAIL_LINES;
  if (!Number.isSafeInteger(lines) || lines < 0)
    throw new CliError('--lines must be a non-negative integer');
  const { client, room } = await open(flags);
  const print = (message: RoomMessage): void => {
    console.log(JSON.stringify(message));
  };
  client.room(room).on('message', print);
  if (since !== null) {
    const joined = await joinFollowing(client, room, { since: { ts: since } });
    if (joined.recovered === false)
      console.error(
        `arq: ${room} no longer keeps every message since ${new Date(since).toISOString()} (recovered: false); following from now`,
      );
  } else await joinWithLines(client, room, tail ? lines : 0);
  return new Promise((resolve) => {
    const stop = (): void => {
      client.close();
      resolve(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Attempts at a follower's first join when the connection drops before its answer. */
const FOLLOW_JOIN_ATTEMPTS = 5;

/**
 * A follower's join. The SDK re-joins the rooms it holds after a reconnect, but a join whose
 * answer never came (the socket dropped) is not held yet: a tail that follows waits for the
 * reconnect and asks again rather than exiting on a dropped connection.
 */
async function joinFollowing(
  client: ArqonClient,
  room: string,
  options: Parameters<ArqonClient['join']>[1],
): Promise<Awaited<ReturnType<ArqonClient['join']>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.join(room, options);
    } catch (error) {
      const dropped =
        error instanceof ArqonClientError &&
        (error.code === 'ARQ_CLIENT_DISCONNECTED' || error.code === 'ARQ_CLIENT_NOT_CONNECTED');
      if (!dropped || attempt === FOLLOW_JOIN_ATTEMPTS) throw error;
      await client.connect();
    }
  }
}

/** Joins; with `lines`, joins again from that many offsets back, to replay them first. */
async function joinWithLines(client: ArqonClient, room: string, lines: number): Promise<void> {
  const joined = await joinFollowing(client, room, {});
  if (joined.offset > 0 && lines > 0) {
    // Join again from a resume point: the room replays what it still holds after that offset.
    await client.leave(room);
    await joinFollowing(client, room, {
      since: { epoch: joined.epoch, offset: Math.max(0, joined.offset - lines) },
    });
  }
}

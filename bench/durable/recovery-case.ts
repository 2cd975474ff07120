import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError, monotonicNs, readStampDigits, type ServerProcess } from '../lib/index.js';
import { DurableClient } from './durable-client.js';

const OFFSET_FIELD = Buffer.from('"offset":');
const PUBLISH_IN_FLIGHT = 100;
/** Let the room settle (its last write answered) before it is read back. */
const SETTLE_MS = 500;

export interface RecoveryOptions {
  readonly secret: string;
  readonly room: string;
  readonly messages: number;
  readonly timeoutMs: number;
  /** Starts a node that keeps `room` durable, on the same nats-server every time. */
  readonly startNode: () => Promise<ServerProcess>;
  readonly log: (line: string) => void;
}

/** One `join since` replay: how long until the last missed message arrived, and whether it was whole. */
export interface Replay {
  readonly ms: number;
  readonly received: number;
  readonly recovered: boolean;
  /** Offsets 1..messages, each once, in order. */
  readonly exact: boolean;
}

export interface RecoveryResult {
  readonly messages: number;
  /** The owner still runs the room: replayed from its in-memory window. */
  readonly warm: Replay;
  /** A node started after the first stopped: the room reads its stream back from JetStream first. */
  readonly cold: Replay;
}

/**
 * Publishes `messages` to a durable room, then a client that saw none of them joins with `since`
 * offset 0 of the room's epoch and waits for all: once on the node that took them, once on a fresh
 * node after that one stopped.
 */
export async function measureRecovery(options: RecoveryOptions): Promise<RecoveryResult> {
  let node = await options.startNode();
  try {
    const epoch = await publishAll(node.port, options);
    await sleep(SETTLE_MS);
    const warm = await replay(node.port, epoch, options);
    options.log(`  warm replay of ${options.messages}: ${warm.ms.toFixed(0)} ms`);
    await node.stop();
    node = await options.startNode();
    const cold = await replay(node.port, epoch, options);
    options.log(`  cold replay of ${options.messages}: ${cold.ms.toFixed(0)} ms`);
    return { messages: options.messages, warm, cold };
  } finally {
    await node.stop();
  }
}

async function publishAll(port: number, options: RecoveryOptions): Promise<string> {
  const client = await DurableClient.connect({
    port,
    secret: options.secret,
    sub: 'recovery-publisher',
    timeoutMs: options.timeoutMs,
    onMessage: () => {},
  });
  try {
    const joined = await client.request({ op: 'join', room: options.room });
    if (joined.status !== 'ok' || typeof joined.body.epoch !== 'string')
      throw new BenchError('ARQ_ERR_BENCH_CLIENT', `join ${options.room}: ${joined.code}`);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < options.messages) {
        const n = next++;
        const reply = await client.request({ op: 'publish', room: options.room, data: { n } });
        if (reply.status !== 'ok')
          throw new BenchError('ARQ_ERR_BENCH_CLIENT', `publish ${n} answered ${reply.code}`);
      }
    };
    await Promise.all(Array.from({ length: PUBLISH_IN_FLIGHT }, lane));
    return joined.body.epoch;
  } finally {
    client.close();
  }
}

async function replay(port: number, epoch: string, options: RecoveryOptions): Promise<Replay> {
  let received = 0;
  let exact = true;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const client = await DurableClient.connect({
    port,
    secret: options.secret,
    sub: 'recovery-reader',
    timeoutMs: options.timeoutMs,
    onMessage: (data, start, end) => {
      const at = data.indexOf(OFFSET_FIELD, start);
      const offset = at < 0 || at >= end ? -1 : readStampDigits(data, at + OFFSET_FIELD.length);
      received++;
      if (offset !== received) exact = false;
      if (received === options.messages) done();
    },
  });
  try {
    const t0 = monotonicNs();
    const joined = await client.request({
      op: 'join',
      room: options.room,
      since: { epoch, offset: 0 },
    });
    if (joined.status !== 'ok')
      throw new BenchError('ARQ_ERR_BENCH_CLIENT', `join since: ${joined.code}`);
    const recovered = joined.body.recovered !== false;
    if (recovered) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.timeoutMs);
      });
      await Promise.race([all, timeout]);
      clearTimeout(timer);
    }
    const ms = (monotonicNs() - t0) / 1e6;
    return { ms, received, recovered, exact: exact && received === options.messages };
  } finally {
    client.close();
  }
}

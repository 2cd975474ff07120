import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { BENCH_TENANT, BenchError, GeneratorHandle, stopGenerators } from '../lib/index.js';
import type { PresenceCommand, PresenceReport } from './presence-messages.js';
import { PresenceNodes } from './presence-nodes.js';

/** Sockets per generator process: far below the 20,000 fds a process may hold. */
export const MEMBERS_PER_GENERATOR = 5_000;
/** One member in this many keeps a full SDK view (plus each generator's last joiner). */
export const SAMPLE_EVERY = 100;
const CONNECT_CONCURRENCY = 100;
const CLIENT_TIMEOUT_MS = 30_000;
const JOIN_TIMEOUT_MS = 600_000;
const REPORT_TIMEOUT_MS = 30_000;
const POLL_MS = 250;
const BASELINE_SETTLE_MS = 3_000;
/**
 * After convergence the node has just built N presence_states and N^2 entries of diffs: V8's heap
 * and malloc's arenas are at their peak. RSS is read again after this long idle, when V8's memory
 * reducer has had its turn, to tell what the members hold from what the burst left.
 */
const RSS_SETTLE_MS = 10_000;
const FIRST_SOURCE_OCTET = 10;
const ROOM = 'big';

export interface PresenceCaseOptions {
  readonly members: number;
  /** 1: one standalone node; more: a local cluster, members spread evenly over its nodes. */
  readonly nodes: number;
  /** `--presence-coalesce-ms` of the node. */
  readonly coalesceMs: number;
  /** Give up waiting for convergence after this long from the first join. */
  readonly convergeTimeoutMs: number;
  readonly secret: string;
  readonly log: (line: string) => void;
}

export interface PresenceResult {
  readonly members: number;
  readonly nodes: number;
  readonly coalesceMs: number;
  /** Seconds from the first join sent to the last join confirmed. */
  readonly joinS: number;
  /** Seconds from the first join sent until every sampled view held `members` entries; null: never. */
  readonly convergeS: number | null;
  readonly sampled: number;
  readonly frames: number;
  readonly bytes: number;
  /** frames and bytes over the seconds from the first join to the last presence frame. */
  readonly framesPerS: number;
  readonly bytesPerS: number;
  /** members x (1000 / coalesceMs): what coalescing bounds frames per second by. */
  readonly frameBoundPerS: number | null;
  readonly rssPerMemberBytes: number;
  /** The same, read after RSS_SETTLE_MS idle. */
  readonly rssSettledPerMemberBytes: number;
  /** Of the settled figure, what JavaScript holds (V8 heap used plus external memory). */
  readonly jsSettledPerMemberBytes: number;
  readonly lateStateMs: number;
  readonly lateEntries: number;
  readonly lateStateBytes: number;
}

type Generator = GeneratorHandle<PresenceCommand, PresenceReport>;

/**
 * Node(s) with 1 shard worker each, `members` joining one presence room, then one late joiner (on
 * the first node). On a cluster generator g's members join node g mod nodes, so every node has a
 * share of the room and learns the others' members by gossip.
 */
export async function runPresenceCase(options: PresenceCaseOptions): Promise<PresenceResult> {
  const { members, coalesceMs, log } = options;
  const nodes = await PresenceNodes.start({
    nodes: options.nodes,
    coalesceMs,
    secret: options.secret,
    log,
  });
  const generators: Generator[] = [];
  try {
    await sleep(BASELINE_SETTLE_MS);
    const rssBefore = nodes.rssBytes();
    const jsBefore = await nodes.jsBytes();
    const script = fileURLToPath(new URL('./presence-generator.js', import.meta.url));
    const generatorCount = Math.max(Math.ceil(members / MEMBERS_PER_GENERATOR), nodes.count);
    const perGenerator = Math.ceil(members / generatorCount);
    for (let first = 0; first < members; first += perGenerator) {
      const g = generators.length;
      const generator = GeneratorHandle.fork<PresenceCommand, PresenceReport>(
        script,
        `generator ${g}`,
      );
      generators.push(generator);
      generator.send({
        type: 'setup',
        url: nodes.url(g),
        secret: options.secret,
        tenant: BENCH_TENANT,
        room: ROOM,
        localAddress: `127.0.0.${FIRST_SOURCE_OCTET + g}`,
        firstIndex: first,
        count: Math.min(perGenerator, members - first),
        sampleEvery: SAMPLE_EVERY,
        target: members,
        concurrency: CONNECT_CONCURRENCY,
        timeoutMs: CLIENT_TIMEOUT_MS,
      });
    }
    const joined = await Promise.all(generators.map((g) => g.next('joined', JOIN_TIMEOUT_MS)));
    const firstJoinAt = Math.min(...joined.map((j) => j.firstJoinAt));
    const lastJoinedAt = Math.max(...joined.map((j) => j.lastJoinedAt));
    log(`  ${members} joined in ${((lastJoinedAt - firstJoinAt) / 1000).toFixed(1)} s`);
    const status = async (): Promise<Extract<PresenceReport, { type: 'status' }>[]> => {
      for (const g of generators) g.send({ type: 'check' });
      return Promise.all(generators.map((g) => g.next('status', REPORT_TIMEOUT_MS)));
    };
    let statuses = await status();
    while (
      statuses.some((s) => s.convergedAt === 0) &&
      Date.now() - firstJoinAt < options.convergeTimeoutMs
    ) {
      await sleep(POLL_MS);
      statuses = await status();
    }
    const converged = statuses.every((s) => s.convergedAt !== 0);
    const convergedAt = Math.max(...statuses.map((s) => s.convergedAt));
    // Frames still in flight once converged (leaves of nobody, none expected) would be late ones.
    await sleep(POLL_MS * 4);
    statuses = await status();
    const rssAfter = nodes.rssBytes();
    await sleep(RSS_SETTLE_MS);
    const rssSettled = nodes.rssBytes();
    const jsSettled = await nodes.jsBytes();
    const open = statuses.reduce((n, s) => n + s.open, 0);
    if (open !== members)
      throw new BenchError(
        'ARQ_ERR_BENCH_CLIENT',
        `${open} of ${members} members open (errors: ${JSON.stringify(statuses.map((s) => s.errors))})`,
      );
    const frames = statuses.reduce((n, s) => n + s.frames, 0);
    const bytes = statuses.reduce((n, s) => n + s.bytes, 0);
    const lastFrameAt = Math.max(...statuses.map((s) => s.lastFrameAt));
    const spanS = Math.max(0.001, (lastFrameAt - firstJoinAt) / 1000);
    generators[0]!.send({ type: 'late', index: members });
    const late = await generators[0]!.next('late', REPORT_TIMEOUT_MS);
    return {
      members,
      nodes: nodes.count,
      coalesceMs,
      joinS: (lastJoinedAt - firstJoinAt) / 1000,
      convergeS: converged ? (convergedAt - firstJoinAt) / 1000 : null,
      sampled: statuses.reduce((n, s) => n + s.sampled, 0),
      frames,
      bytes,
      framesPerS: frames / spanS,
      bytesPerS: bytes / spanS,
      frameBoundPerS: coalesceMs > 0 ? members * (1000 / coalesceMs) : null,
      rssPerMemberBytes: (rssAfter - rssBefore) / members,
      rssSettledPerMemberBytes: (rssSettled - rssBefore) / members,
      jsSettledPerMemberBytes: (jsSettled - jsBefore) / members,
      lateStateMs: late.stateMs,
      lateEntries: late.entries,
      lateStateBytes: late.stateBytes,
    };
  } finally {
    await stopGenerators(generators, REPORT_TIMEOUT_MS);
    await nodes.stop();
  }
}

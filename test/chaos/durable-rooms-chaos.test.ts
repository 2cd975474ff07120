/**
 * Chaos against durable rooms (PROTOCOL section 7): one nats-server with JetStream and three
 * `arq start --nats` processes. A publisher sends to one durable room at a steady rate, pipelined
 * with `ref`s, while the room's shard is killed, nats-server restarts, the room's owner node is
 * SIGKILLed and then the publisher's own node is SIGKILLed right after an answer. Afterwards the
 * stream is read with a NATS client of the test's own: every publish answered `ok` is stored once,
 * at its offset, in one epoch with no gap; and every member (staying, or resumed with `since` after
 * its node died) got exactly what is stored, each once, in offset order.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import WebSocket from 'ws';
import { decodePublishPayload, roomKeyOf } from '../../actors/index.js';
import { ClusterRing } from '../../src/cluster/index.js';
import { ShardPlacement } from '../../src/shard/index.js';
import { decodeStoredBatch, ROOM_STREAM, roomStoreSubject } from '../../src/storage/index.js';
import { http } from '../helpers/http.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { newSecret, type SpawnedNode, spawnNode, tokenFor } from '../helpers/test-node.js';
import { sleep, waitFor } from '../helpers/wait-for.js';

const WORKERS = 2;
const DOWN_AFTER_MS = 1_500;
const PUBLISH_EVERY_MS = 15;
/** oks after a failure that show the room goes on. */
const PROGRESS = 15;
const RECOVERY_TIMEOUT_MS = 30_000;

type Json = Record<string, unknown>;

/** A JSON WebSocket client that keeps every frame, for publishers and members alike. */
class Socket {
  readonly ws: WebSocket;
  readonly closed: Promise<void>;
  readonly #waiters = new Map<string, (frame: Json) => void>();
  onFrame: (frame: Json) => void = () => {};
  #refs = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Json;
      if (frame.op === 'reply' && typeof frame.ref === 'string') {
        const waiter = this.#waiters.get(frame.ref);
        if (waiter !== undefined) {
          this.#waiters.delete(frame.ref);
          waiter(frame);
          return;
        }
      }
      this.onFrame(frame);
    });
    this.closed = new Promise((resolve) => ws.on('close', () => resolve()));
    ws.on('error', () => {});
  }

  static async open(url: string, token: string, timeoutMs = 5_000): Promise<Socket> {
    const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
    const socket = new Socket(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no welcome from ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.onFrame = (frame) => {
        if (frame.op !== 'welcome') return;
        clearTimeout(timer);
        socket.onFrame = () => {};
        resolve();
      };
      ws.once('close', () => {
        clearTimeout(timer);
        reject(new Error(`${url} closed before its welcome`));
      });
    });
    return socket;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: Json): void {
    if (this.isOpen) this.ws.send(JSON.stringify(frame));
  }

  request(frame: Json, timeoutMs = 10_000): Promise<Json> {
    const ref = `r${++this.#refs}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(ref);
        reject(new Error(`no reply to ${JSON.stringify(frame)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(ref, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.send({ ...frame, ref });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

interface Got {
  readonly epoch: string;
  readonly offset: number;
  readonly n: number;
}

/** Tries `urls` in turn until one answers with a welcome (a killed node's port refuses at once). */
async function openAny(urls: () => readonly string[], token: () => Promise<string>) {
  return waitFor(
    async () => {
      for (const url of urls()) {
        const socket = await Socket.open(url, await token()).catch(() => null);
        if (socket !== null) return socket;
      }
      await sleep(100);
      return null;
    },
    'a node to connect to',
    RECOVERY_TIMEOUT_MS,
  );
}

/**
 * A member of the room: records each message it gets; when its node dies it connects to another
 * and joins again with `since` its last offset, as the protocol tells a client to.
 */
class Member {
  readonly name: string;
  readonly got: Got[] = [];
  readonly resumes: Json[] = [];
  readonly problems: string[] = [];
  #socket: Socket | null = null;
  #stopped = false;
  #epoch = '';
  #joinOffset = 0;

  constructor(
    name: string,
    readonly room: string,
    readonly urls: () => readonly string[],
    readonly token: () => Promise<string>,
  ) {
    this.name = name;
  }

  get epoch(): string {
    return this.#epoch;
  }

  /** The offset the member joined at: it gets what comes after it. */
  get joinOffset(): number {
    return this.#joinOffset;
  }

  get lastOffset(): number {
    return this.got.at(-1)?.offset ?? this.#joinOffset;
  }

  async start(): Promise<void> {
    const socket = await this.#connect();
    const reply = await socket.request({ op: 'join', room: this.room });
    if (reply.status !== 'ok') throw new Error(`${this.name}: join ${JSON.stringify(reply)}`);
    const body = reply.body as { epoch: string; offset: number };
    this.#epoch = body.epoch;
    this.#joinOffset = body.offset;
    void this.#watch(socket);
  }

  stop(): void {
    this.#stopped = true;
    this.#socket?.close();
  }

  async #connect(): Promise<Socket> {
    const socket = await openAny(this.urls, this.token);
    socket.onFrame = (frame) => {
      if (frame.op !== 'message' || frame.room !== this.room) return;
      const [epoch] = String(frame.id).split(':');
      this.got.push({
        epoch: epoch ?? '',
        offset: Number(frame.offset),
        n: (frame.data as { n: number }).n,
      });
    };
    this.#socket = socket;
    return socket;
  }

  async #watch(socket: Socket): Promise<void> {
    await socket.closed;
    if (this.#stopped) return;
    try {
      const next = await this.#connect();
      const since = { epoch: this.#epoch, offset: this.lastOffset };
      const reply = await waitFor(
        async () => {
          const answer = await next.request({ op: 'join', room: this.room, since });
          if (answer.status === 'ok') return answer;
          // Refused while the room's new owner is not known yet: ask again.
          await sleep(100);
          return null;
        },
        `${this.name} joins again`,
        RECOVERY_TIMEOUT_MS,
      );
      this.resumes.push({ since, body: reply.body });
      void this.#watch(next);
    } catch (error) {
      this.problems.push(`${this.name} could not resume: ${String(error)}`);
    }
  }
}

/**
 * Publishes `{n}` every PUBLISH_EVERY_MS without waiting for answers. Each answer is recorded by
 * `n`; a publish whose node died before answering is `unknown` (it may or may not be stored).
 */
class Publisher {
  readonly oks = new Map<number, { epoch: string; offset: number }>();
  readonly errors = new Map<string, number>();
  readonly unknown = new Set<number>();
  readonly #pending = new Set<number>();
  #socket: Socket | null = null;
  #next = 1;
  #running = false;
  #loop: Promise<void> | null = null;
  /** Called once with the next ok (then cleared): lets the test act right after an answer. */
  afterNextOk: (() => void) | null = null;

  constructor(
    readonly room: string,
    readonly urls: () => readonly string[],
    readonly token: () => Promise<string>,
  ) {}

  get pending(): number {
    return this.#pending.size;
  }

  get node(): string {
    return this.#socket?.ws.url ?? '';
  }

  async start(): Promise<void> {
    this.#socket = await this.#connect();
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  close(): void {
    this.#running = false;
    this.#socket?.close();
  }

  async #connect(): Promise<Socket> {
    const socket = await openAny(this.urls, this.token);
    socket.onFrame = (frame) => {
      if (frame.op !== 'reply' || typeof frame.ref !== 'string' || !frame.ref.startsWith('p'))
        return;
      const n = Number(frame.ref.slice(1));
      if (!this.#pending.delete(n)) return;
      if (frame.status === 'ok') {
        const body = frame.body as { id: string; offset: number };
        this.oks.set(n, { epoch: body.id.split(':')[0] ?? '', offset: body.offset });
        const after = this.afterNextOk;
        this.afterNextOk = null;
        after?.();
      } else {
        const code = String((frame.error as { code?: string } | undefined)?.code);
        this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
      }
    };
    void socket.closed.then(() => {
      // Whatever this socket had in flight has no answer now.
      for (const n of this.#pending) this.unknown.add(n);
      this.#pending.clear();
    });
    return socket;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let socket = this.#socket as Socket;
      if (!socket.isOpen) {
        socket = await this.#connect();
        this.#socket = socket;
      }
      const n = this.#next++;
      this.#pending.add(n);
      socket.send({ op: 'publish', room: this.room, data: { n }, ref: `p${n}`, echo: false });
      await sleep(PUBLISH_EVERY_MS);
    }
  }
}

interface Stored {
  readonly epoch: string;
  readonly offset: number;
  readonly n: number;
}

/** The room's messages as JetStream holds them (stored batches unpacked), in stream order. */
async function readStream(natsUrl: string, room: string): Promise<Stored[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const subject = roomStoreSubject('t1', room);
    const out: Stored[] = [];
    const info = await jsm.streams.info(ROOM_STREAM);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(ROOM_STREAM, { seq }).catch(() => null);
      if (m === null || m.subject !== subject) continue;
      const epoch = m.header.get('Arq-Epoch');
      const offset = Number(m.header.get('Arq-Offset'));
      const count = m.header.has('Arq-Count') ? Number(m.header.get('Arq-Count')) : 1;
      const payloads =
        count === 1
          ? [{ offset, payload: m.data }]
          : decodeStoredBatch(m.data, offset, count, room);
      for (const entry of payloads) {
        const data = decodePublishPayload(entry.payload).data;
        const n = (JSON.parse(new TextDecoder().decode(data)) as { n: number }).n;
        out.push({ epoch, offset: entry.offset, n });
      }
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** A durable room owned by c3 among c1..c3 and by c2 once c3 is gone. */
function chooseRoom(): string {
  const three = new ClusterRing(['c1', 'c2', 'c3']);
  const two = new ClusterRing(['c1', 'c2']);
  for (let i = 0; ; i++) {
    const room = `d.chaos-${i}`;
    const key = roomKeyOf('t1', room);
    if (three.ownerOf(key) === 'c3' && two.ownerOf(key) === 'c2') return room;
  }
}

async function killShard(t: Test, node: SpawnedNode, shard: number, token: string) {
  const answer = await waitFor(
    async () => {
      const a = await http(`${node.http}/v1/admin/chaos/kill-worker`, {
        method: 'POST',
        token,
        body: { shard },
      });
      return a.status === 503 ? false : a;
    },
    `shard ${shard} running on ${node.url}`,
    20_000,
  );
  t.equal(answer.status, 200, `shard ${shard} of ${node.url} killed`);
}

t.test(
  'durable rooms chaos - no ok is lost: shard killed, NATS restarted, owner and publisher nodes SIGKILLed',
  async (t) => {
    const nats = await startNatsServer({ jetstream: true });
    t.teardown(() => nats.stop());
    const secret = newSecret();
    const nodes = new Map<string, SpawnedNode>();
    const dead = new Set<string>();
    for (const id of ['c1', 'c2', 'c3']) {
      const node = await spawnNode(
        [
          '--nats',
          nats.url,
          '--node-id',
          id,
          '--workers',
          String(WORKERS),
          '--chaos',
          '--durable-rooms',
          'd.>',
          '--down-after-ms',
          String(DOWN_AFTER_MS),
          '--presence-broadcast-ms',
          '100',
          '--drain-timeout-ms',
          '0',
          '--publish-rate',
          '1000',
          '--publish-burst',
          '1000',
        ],
        { ARQ_JWT_SECRET: secret },
      );
      t.teardown(() => node.proc.kill('SIGKILL'));
      nodes.set(id, node);
    }
    const node = (id: string): SpawnedNode => nodes.get(id) as SpawnedNode;
    for (const n of nodes.values())
      await waitFor(
        async () => (await http(`${n.http}/readyz`)).status === 200,
        `${n.url} ready`,
        20_000,
      );
    const alive =
      (...ids: string[]) =>
      () =>
        ids.filter((id) => !dead.has(id)).map((id) => node(id).url);
    const sigkill = async (id: string): Promise<void> => {
      dead.add(id);
      node(id).proc.kill('SIGKILL');
      await node(id).exited;
    };

    const room = chooseRoom();
    const shard = new ShardPlacement(WORKERS).shardOf(roomKeyOf('t1', room));
    t.comment(`room ${room}: owner c3 (then c2), shard ${shard}`);
    const token = (sub: string) => () => tokenFor(secret, { sub });

    // Members: on c2 (never dies), on c1 (the publisher's node) and on c3 (the owner).
    const members = [
      new Member('stays-on-c2', room, alive('c2'), token('m2')),
      new Member('on-c1', room, alive('c1', 'c2'), token('m1')),
      new Member('on-c3', room, alive('c3', 'c2'), token('m3')),
    ];
    t.teardown(() => {
      for (const m of members) m.stop();
    });
    for (const m of members) await m.start();
    const epoch = (members[0] as Member).epoch;
    t.ok(
      members.every((m) => m.epoch === epoch),
      'one epoch for every member',
    );

    const pub = new Publisher(room, alive('c1', 'c2'), token('pub'));
    t.teardown(() => pub.close());
    await pub.start();
    const progress = async (what: string): Promise<void> => {
      const before = pub.oks.size;
      await waitFor(() => pub.oks.size >= before + PROGRESS, what, RECOVERY_TIMEOUT_MS);
    };
    await progress('oks before any failure');

    // (a) The room's shard on its owner dies under traffic.
    const admin = await tokenFor(secret, { sub: 'ops', caps: ['admin'] });
    await killShard(t, node('c3'), shard, admin);
    await progress('oks after the shard was killed');

    // (d) nats-server restarts (same store): JetStream and the cluster's routes come back.
    await nats.restart();
    await progress('oks after nats-server restarted');

    // (b) The room's owner node is SIGKILLed; c2 owns the room once c3 is seen down.
    await sigkill('c3');
    await progress('oks after the owner node was SIGKILLed');

    // (c) The publisher's node is SIGKILLed right after it answered ok, publishes in flight.
    const killedAfterOk = new Promise<void>((resolve) => {
      pub.afterNextOk = () => {
        dead.add('c1');
        node('c1').proc.kill('SIGKILL');
        resolve();
      };
    });
    await waitFor(() => killedAfterOk.then(() => true), 'an ok to kill c1 after', 10_000);
    await node('c1').exited;
    await progress('oks after the publisher node was SIGKILLed');

    await pub.stop();
    await waitFor(() => pub.pending === 0, 'answers to the last publishes', 15_000).catch(() => {});
    t.comment(
      `published ${pub.oks.size} ok, errors ${JSON.stringify(Object.fromEntries(pub.errors))}, ` +
        `${pub.unknown.size} unanswered (node died), ${pub.pending} still pending`,
    );

    // The stream: one epoch, offsets 1..N, each once; each n at most once.
    const stored = await readStream(nats.url, room);
    t.ok(stored.length > 0, `${stored.length} messages stored`);
    t.same(
      [...new Set(stored.map((s) => s.epoch))],
      [epoch],
      'every stored message is of the room’s first epoch',
    );
    const offsets = stored.map((s) => s.offset);
    const badOffsets = offsets.filter((o, i) => o !== i + 1);
    t.same(badOffsets.slice(0, 10), [], 'stored offsets are 1..N, each once, in order');
    const seenN = new Set<number>();
    const twice = stored.filter((s) => seenN.has(s.n) || !seenN.add(s.n)).map((s) => s.n);
    t.same(twice.slice(0, 10), [], 'no publish is stored twice');

    // Every ok: stored, at the offset and in the epoch it was answered with.
    const atOffset = new Map(stored.map((s) => [s.offset, s]));
    const lost: unknown[] = [];
    for (const [n, ok] of pub.oks) {
      const s = atOffset.get(ok.offset);
      if (ok.epoch !== epoch || s === undefined || s.n !== n) lost.push({ n, ...ok, stored: s });
    }
    t.same(lost.slice(0, 10), [], `every one of ${pub.oks.size} oks is stored where it was said`);
    t.equal(lost.length, 0, 'no ok lost');

    // Members: exactly what is stored after their join, each once, in offset order. Two writes
    // reach JetStream without reaching every member live: the one whose answer died with its shard
    // (a), replayed by the restore joins from the position the edge delivered (asked again while
    // the new shard cannot read its stream yet: the owner's own member, on-c3); and the one in
    // flight when nats-server restarts (d), stored although its owner got an error, which the owner
    // delivers when it reads its stream again while the other nodes' subscriptions are coming back
    // (core NATS drops that fan-out): those nodes see the room's offsets jump and fetch the gap
    // from the owner's history (RoomGapFill) before delivering on.
    const last = stored.at(-1)?.offset ?? 0;
    for (const m of members) {
      await waitFor(
        () => m.lastOffset >= last || m.problems.length > 0,
        `${m.name} reaches offset ${last}`,
        20_000,
      ).catch(() => {});
      t.same(m.problems, [], `${m.name} resumed every time`);
      for (const r of m.resumes)
        t.match(r, { body: { epoch } }, `${m.name} resumed in the same epoch`);
      for (const r of m.resumes)
        t.notMatch(r, { body: { recovered: false } }, `${m.name} resumed recovered`);
      const want = stored
        .filter((s) => s.offset > m.joinOffset)
        .map((s) => `${s.epoch}:${s.offset}:${s.n}`);
      const got = m.got.map((g) => `${g.epoch}:${g.offset}:${g.n}`);
      const firstDiff = want.findIndex((w, i) => got[i] !== w);
      t.equal(got.length, want.length, `${m.name} got ${got.length} of ${want.length}`);
      t.equal(
        firstDiff === -1 && got.length > want.length ? want.length : firstDiff,
        -1,
        `${m.name} got what is stored, each once, in order` +
          (firstDiff === -1
            ? ''
            : ` (first difference at ${firstDiff}: wanted ${want[firstDiff]}, got ${got.slice(Math.max(0, firstDiff - 2), firstDiff + 3).join(' ')})`),
      );
    }

    // The room goes on after everything, on the last node, with the next offset.
    const late = await Socket.open(node('c2').url, await tokenFor(secret, { sub: 'late' }));
    t.teardown(() => late.close());
    const next = await waitFor(
      async () => {
        const r = await late.request({ op: 'publish', room, data: { n: 0 } });
        return r.status === 'ok' ? r : null;
      },
      'a publish after it all',
      RECOVERY_TIMEOUT_MS,
    );
    const after = await readStream(nats.url, room);
    t.match(
      next,
      { body: { id: `${epoch}:${(after.at(-1) as Stored).offset}` } },
      'same epoch, the next offset',
    );
    t.equal((after.at(-1) as Stored).offset, last + 1, 'right after what was stored');
  },
);

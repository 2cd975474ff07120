/**
 * A room's messages reach the application once. First against a scripted server on a real socket
 * (the only way to send the overlaps a node avoids: the same offset twice, a replay repeating live
 * ones, a new epoch that starts offsets again); then with a durable room on real nodes and a real
 * nats-server, where a reconnect resumes from the stream and every message arrives exactly once.
 */
import t from 'tap';
import { type WebSocket, WebSocketServer } from 'ws';
import type { JoinResult, RoomMessage } from '../../src/client/index.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { newSecret, startTestNode, tokenFor } from '../helpers/test-node.js';
import { newClient, nextEvent, until } from './client-fixtures.js';
import { startForwarder } from './tcp-forwarder.js';

const FAST = { initialDelayMs: 20, maxDelayMs: 200, factor: 2, jitter: 1 };

function message(offset: number, tag: string): string {
  return JSON.stringify({
    op: 'message',
    room: 'r',
    id: `${tag}:${offset}`,
    offset,
    ts: 1,
    from: 'bob',
    data: `${tag}${offset}`,
    headers: {},
  });
}

t.test(
  'client duplicates - offsets already delivered are dropped; a new epoch starts over',
  { timeout: 20_000 },
  async (t) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    t.teardown(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of wss.clients) socket.terminate();
          wss.close(() => resolve());
        }),
    );
    const joins: unknown[] = [];
    // What each connection answers to its join, then sends; it ends by cutting the socket.
    const script: { reply: Record<string, unknown>; frames: string[]; drop: boolean }[] = [
      {
        reply: { epoch: 'e1', offset: 0 },
        frames: [1, 2, 2, 1, 3].map((n) => message(n, 'a')),
        drop: true,
      },
      {
        // Resumed from 3: a replay that repeats 3, then 5 delivered twice (a durable re-delivery).
        reply: { epoch: 'e1', offset: 5 },
        frames: [3, 4, 5, 5, 6].map((n) => message(n, 'b')),
        drop: true,
      },
      {
        // The room restarted: offsets begin again in a new epoch.
        reply: { epoch: 'e2', offset: 0, recovered: false },
        frames: [1, 2].map((n) => message(n, 'c')),
        drop: false,
      },
    ];
    let connections = 0;
    wss.on('connection', (socket: WebSocket) => {
      const step = script[connections++];
      socket.send(
        JSON.stringify({
          op: 'welcome',
          node: 'scripted',
          conn: `c${connections}`,
          tenant: 't1',
          sub: 'alice',
          heartbeat_ms: 30_000,
        }),
      );
      socket.on('message', (raw) => {
        const frame = JSON.parse(String(raw)) as { op: string; ref: string; since?: unknown };
        if (frame.op !== 'join' || step === undefined) return;
        joins.push(frame.since ?? null);
        socket.send(
          JSON.stringify({ op: 'reply', ref: frame.ref, status: 'ok', body: step.reply }),
        );
        for (const f of step.frames) socket.send(f);
        if (step.drop) setTimeout(() => socket.terminate(), 50);
      });
    });
    const { port } = wss.address() as { port: number };
    const client = newClient({ url: `ws://127.0.0.1:${port}/ws`, token: 'any', reconnect: FAST });
    t.teardown(() => client.close());
    const seen: string[] = [];
    const seenInRoom: string[] = [];
    client.on('message', (m) => seen.push(String(m.data)));
    client.room('r').on('message', (m) => seenInRoom.push(String(m.data)));
    await client.connect();
    await client.join('r');
    await until(() => seen.length >= 8, 'every new message', 10_000);
    await until(() => client.stats.duplicatesDropped >= 4, 'the duplicates counted', 10_000);
    t.same(seen, ['a1', 'a2', 'a3', 'b4', 'b5', 'b6', 'c1', 'c2'], 'each offset once per epoch');
    t.same(seenInRoom, seen, 'the room handle sees the same');
    t.same(
      joins,
      [null, { epoch: 'e1', offset: 3 }, { epoch: 'e1', offset: 6 }],
      'each re-join resumes from the last message seen',
    );
    t.equal(client.stats.duplicatesDropped, 4);
  },
);

t.test(
  'client duplicates - a durable room resumes on another node: replay then live, each once',
  { timeout: 20_000 },
  async (t) => {
    const nats = await startNatsServer({ jetstream: true });
    t.teardown(() => nats.stop());
    const secret = newSecret();
    const durable = { nats: nats.url, 'durable-rooms': 'd.>', 'jwt-secret': secret };
    const first = await startTestNode(durable);
    await first.node.whenReady();
    const forwarder = await startForwarder(first.port);
    t.teardown(() => forwarder.close());
    const alice = newClient({
      url: `ws://127.0.0.1:${forwarder.port}/ws`,
      token: () => tokenFor(secret, { sub: 'alice' }),
      reconnect: FAST,
    });
    t.teardown(() => alice.close());
    const seen: RoomMessage[] = [];
    alice.room('d.log').on('message', (m) => seen.push(m));
    await alice.connect();
    const joined = await alice.join('d.log');

    const bob = newClient({ url: first.url, token: await first.token({ sub: 'bob' }) });
    t.teardown(() => bob.close());
    await bob.connect();
    for (const n of [1, 2, 3]) await bob.publish('d.log', n, { echo: false });
    await until(() => seen.length === 3, 'the first three messages');
    bob.close();

    // The node goes; alice retries against the old address while another node takes the room.
    const second = await startTestNode(durable);
    t.teardown(() => second.close());
    await second.node.whenReady();
    const rejoined = nextEvent<JoinResult>((l) => alice.room('d.log').on('rejoin', l));
    await first.close();
    const carol = newClient({ url: second.url, token: await second.token({ sub: 'carol' }) });
    t.teardown(() => carol.close());
    await carol.connect();
    await carol.join('d.log');
    for (const n of [4, 5, 6]) await carol.publish('d.log', n, { echo: false });
    forwarder.retarget(second.port);

    t.match(await rejoined, { epoch: joined.epoch, offset: 6, recovered: true }, 'same stream');
    await until(() => seen.length === 6, 'the replayed messages');
    await carol.publish('d.log', 7, { echo: false });
    await until(() => seen.length === 7, 'a live message after the replay');
    t.same(
      seen.map((m) => [m.offset, m.data]),
      [1, 2, 3, 4, 5, 6, 7].map((n) => [n, n]),
      'nothing missed, nothing twice',
    );
    t.equal(alice.stats.duplicatesDropped, 0, 'nothing needed dropping');
  },
);

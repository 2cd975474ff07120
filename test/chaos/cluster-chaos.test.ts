/**
 * Chaos against a real cluster: one nats-server and three `arq start --nats` processes, clients
 * through the SDK. Shards are killed under traffic, a node is SIGKILLed, NATS is restarted; the
 * assertions are about service continuing, never about how fast.
 */
import t from 'tap';
import WebSocket from 'ws';
import { ArqonClient } from '../../src/client/index.js';
import { http } from '../helpers/http.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { newSecret, type SpawnedNode, spawnNode, tokenFor } from '../helpers/test-node.js';
import { waitFor } from '../helpers/wait-for.js';

const DOWN_AFTER_MS = 1_500;
const ROOM = 'lobby';

t.test(
  'chaos - shards killed, a node SIGKILLed and NATS restarted while traffic flows',
  async (t) => {
    const nats = await startNatsServer();
    t.teardown(() => nats.stop());
    const secret = newSecret();
    const nodes: SpawnedNode[] = [];
    for (let i = 1; i <= 3; i++) {
      const node = await spawnNode(
        [
          '--nats',
          nats.url,
          '--node-id',
          `c${i}`,
          '--workers',
          '2',
          '--chaos',
          '--down-after-ms',
          String(DOWN_AFTER_MS),
          '--presence-broadcast-ms',
          '100',
          '--drain-timeout-ms',
          '0',
        ],
        { ARQ_JWT_SECRET: secret },
      );
      t.teardown(() => node.proc.kill('SIGKILL'));
      nodes.push(node);
    }
    const [n1, n2, n3] = nodes as [SpawnedNode, SpawnedNode, SpawnedNode];
    for (const node of nodes)
      await waitFor(
        async () => (await http(`${node.http}/readyz`)).status === 200,
        `${node.url} ready`,
        20_000,
      );

    const client = async (
      sub: string,
      urls: string[],
    ): Promise<{ c: ArqonClient; got: unknown[] }> => {
      const c = new ArqonClient({
        url: urls,
        token: () => tokenFor(secret, { sub, caps: ['admin'] }),
        WebSocket: WebSocket as never,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
      });
      t.teardown(() => c.close());
      const got: unknown[] = [];
      c.room(ROOM).on('message', (m) => got.push(m.data));
      await c.connect();
      await c.join(ROOM, { meta: { sub } });
      return { c, got };
    };
    const one = await client('one', [n1.url]);
    const two = await client('two', [n2.url]);
    const three = await client('three', [n3.url, n1.url, n2.url]);
    await waitFor(
      () => one.c.room(ROOM).presence.list().length === 3,
      'presence of all three on node 1',
      15_000,
    );

    // Traffic from node 2's client, retried when a room restarts under it.
    let sent = 0;
    const failures = new Map<string, number>();
    let running = true;
    const traffic = (async () => {
      while (running) {
        await two.c.publish(ROOM, { n: sent }).then(
          () => sent++,
          (err: { code?: string }) =>
            failures.set(err.code ?? '?', (failures.get(err.code ?? '?') ?? 0) + 1),
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    t.teardown(() => {
      running = false;
    });

    // 1. Shard threads killed repeatedly on every node: delivery resumes after each kill.
    const adminToken = await tokenFor(secret, { sub: 'ops', caps: ['admin'] });
    for (let round = 0; round < 3; round++) {
      for (const node of nodes) {
        // A random target may be a shard still restarting from the last round: the endpoint then
        // answers 503 (nothing to kill right now) and we ask again.
        const killed = await waitFor(
          async () => {
            const answer = await http(`${node.http}/v1/admin/chaos/kill-worker`, {
              method: 'POST',
              token: adminToken,
              body: '',
            });
            return answer.status === 503 ? false : answer;
          },
          `a running shard to kill on ${node.url}`,
          20_000,
        );
        t.equal(killed.status, 200, `kill a shard of ${node.url}`);
      }
      const before = one.got.length;
      await waitFor(
        () => one.got.length > before + 5,
        `delivery after kill round ${round + 1}`,
        20_000,
      );
    }

    // 2. Node 3 dies: its client reconnects elsewhere and keeps publishing; its old presence leaves.
    const oldConn = three.c.welcome?.conn;
    n3.proc.kill('SIGKILL');
    await waitFor(
      () => three.c.state === 'connected' && three.c.welcome?.conn !== oldConn,
      'client three reconnected',
      30_000,
    );
    t.not(three.c.welcome?.node, 'c3', 'now on a surviving node');
    await waitFor(
      async () =>
        three.c.publish(ROOM, 'from-three').then(
          () => true,
          () => false,
        ),
      'client three publishes again',
      20_000,
    );
    await waitFor(
      () => one.got.includes('from-three'),
      'node 1 gets the reconnected client\u2019s message',
      20_000,
    );
    await waitFor(
      () =>
        one.c
          .room(ROOM)
          .presence.get('three')
          .every((meta) => meta.conn !== oldConn),
      'the dead node\u2019s member left presence',
      20_000,
    );

    // 3. NATS restarts: the two surviving nodes find each other again and traffic crosses again.
    await nats.restart();
    const beforeRestart = one.got.length;
    await waitFor(
      () => one.got.length > beforeRestart + 5,
      'cross-node delivery after the NATS restart',
      40_000,
    );

    running = false;
    await traffic;
    t.ok(sent > 0, `two published ${sent} messages`);
    t.comment(`publish failures by code: ${JSON.stringify(Object.fromEntries(failures))}`);
    for (const node of [n1, n2])
      t.equal((await http(`${node.http}/healthz`)).status, 200, `${node.url} still serving`);
  },
);

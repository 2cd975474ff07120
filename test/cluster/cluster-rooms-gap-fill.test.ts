/**
 * Gap fill of a remote room's offsets, with two real nodes, real sockets and a real nats-server
 * with JetStream. The room's fan-out to the other node is lost for real: nats-server reloads its
 * config with the owner's user denied publishing on `arq.fan.>` (core NATS drops what it may not
 * carry, as it drops a fan-out while subscriptions come back after a restart), then allowed again.
 * The members on the owner's node get everything live; the members on the other node must get
 * the lost messages from the owner's history, before the later ones, each once, in order:
 * - a later message shows the gap (it is held until the fill is delivered);
 * - a join answered past what the node has shows it (the joiner does not get what preceded it);
 * - with nothing after the lost message, the position check after a NATS reconnect finds it;
 * - the owner drains, or is SIGKILLed, with its last message not fanned out: the new owner's
 *   members get it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import { roomKeyOf } from '../../actors/index.js';
import { ClusterRing } from '../../src/cluster/index.js';
import { http } from '../helpers/http.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { newSecret, spawnNode, startTestNode, type TestNode } from '../helpers/test-node.js';
import { sleep, waitFor } from '../helpers/wait-for.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const OWNER_PASSWORD = 'owner-pw';
const OTHER_PASSWORD = 'other-pw';

/**
 * JetStream is configured in the file, not with `-js`: a reload of a file without it turns
 * JetStream off (and one with an empty block but `-sd` on the command line is refused).
 */
function natsConfig(storeDir: string, denyOwnerFanout: boolean): string {
  const ownerPermissions = denyOwnerFanout
    ? 'permissions: { publish: { deny: ["arq.fan.>"] } }'
    : '';
  return `
jetstream { store_dir: "${storeDir}" }
authorization {
  users: [
    { user: owner, password: ${OWNER_PASSWORD}, ${ownerPermissions} }
    { user: other, password: ${OTHER_PASSWORD} }
  ]
}
`;
}

/** A room name of `prefix` that the ring of n1 and n2 places on `owner`. */
function roomOwnedBy(owner: string, prefix: string): string {
  const ring = new ClusterRing(['n1', 'n2']);
  for (let i = 0; ; i++) {
    const room = `${prefix}${i}`;
    if (ring.ownerOf(roomKeyOf('t1', room)) === owner) return room;
  }
}

/** A room member: every message frame it got, as `epoch:offset:n`. */
class Member {
  readonly got: string[] = [];
  readonly client: TestClient;
  joinOffset = -1;

  private constructor(client: TestClient) {
    this.client = client;
    client.ws.on('message', (data: Buffer, binary: boolean) => {
      if (binary) return;
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      if (frame.op !== 'message') return;
      const n = (frame.data as { n: number }).n;
      this.got.push(`${frame.id as string}:${n}`);
    });
  }

  static async join(node: TestNode, sub: string, room: string): Promise<Member> {
    const { client } = await TestClient.connect(node.url, await node.token({ sub }));
    const member = new Member(client);
    const reply = await client.request({ op: 'join', room });
    if (reply.status !== 'ok') throw new Error(`${sub} could not join: ${JSON.stringify(reply)}`);
    member.joinOffset = (reply.body as { offset: number }).offset;
    return member;
  }

  get last(): number {
    const last = this.got.at(-1);
    return last === undefined ? this.joinOffset : Number(last.split(':')[1]);
  }
}

/**
 * nats-server with JetStream and two users, `owner` and `other`; `setFanout(false)` reloads it with
 * `owner` denied publishing on `arq.fan.>` and returns once a probe shows it in force.
 */
async function natsWithFanoutSwitch(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'arq-gap-fill-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const configPath = join(dir, 'nats.conf');
  const config = (deny: boolean) => natsConfig(join(dir, 'js'), deny);
  await writeFile(configPath, config(false));
  const nats = await startNatsServer({ config: configPath });
  t.teardown(() => nats.stop());

  // Whether the owner's user may publish a fan-out: a probe on a subject of the same tree.
  const ownerNc = await connect({ servers: nats.url, user: 'owner', pass: OWNER_PASSWORD });
  const otherNc = await connect({ servers: nats.url, user: 'other', pass: OTHER_PASSWORD });
  t.teardown(async () => {
    await ownerNc.close();
    await otherNc.close();
  });
  /** Null while the probe clients are not connected (after a restart they reconnect). */
  const probeGets = async (): Promise<boolean | null> => {
    let got = false;
    const sub = otherNc.subscribe('arq.fan.t.probe.r.x', {
      callback: () => {
        got = true;
      },
    });
    try {
      await otherNc.flush();
      ownerNc.publish('arq.fan.t.probe.r.x', 'p');
      await ownerNc.flush().catch(() => {});
      await otherNc.flush();
      await sleep(50);
      return got;
    } catch {
      return null;
    } finally {
      sub.unsubscribe();
    }
  };
  const setFanout = async (allowed: boolean): Promise<void> => {
    await writeFile(configPath, config(!allowed));
    nats.reload();
    await waitFor(
      async () => (await probeGets()) === allowed,
      `the owner's fan-out ${allowed ? 'allowed' : 'denied'}`,
      10_000,
    );
  };

  return { nats, setFanout, config, configPath };
}

t.test(
  'cluster rooms gap fill - fan-outs lost on NATS reach the other node from history',
  async (t) => {
    const { nats, setFanout, config, configPath } = await natsWithFanoutSwitch(t);

    const secret = newSecret();
    const start = (id: string, user: string, password: string) =>
      startTestNode({
        'down-after-ms': '1500',
        nats: nats.url,
        'nats-user': user,
        'nats-password': password,
        'node-id': id,
        'jwt-secret': secret,
        'durable-rooms': 'd.>',
      });
    const n1 = await start('n1', 'other', OTHER_PASSWORD);
    t.teardown(() => n1.close());
    const n2 = await start('n2', 'owner', OWNER_PASSWORD);
    t.teardown(() => n2.close());
    await waitFor(
      () => n1.node.readiness === 'ready' && n2.node.readiness === 'ready',
      'both nodes ready',
    );

    const room = roomOwnedBy('n2', 'd.gap');
    const local = await Member.join(n2, 'on-owner', room);
    const a = await Member.join(n1, 'a', room);
    const b = await Member.join(n1, 'b', room);
    const members = [local, a, b];
    t.teardown(() => {
      for (const m of members) m.client.close();
    });
    const { client: pub } = await TestClient.connect(n2.url, await n2.token({ sub: 'pub' }));
    t.teardown(() => pub.close());
    let epoch = '';
    let n = 0;
    const publish = async (): Promise<number> => {
      n += 1;
      const reply = await pub.request({ op: 'publish', room, data: { n } });
      t.equal(reply.status, 'ok', `publish ${n} ok`, { reply });
      const [e, offset] = ((reply.body as { id: string }).id ?? '').split(':');
      epoch = e as string;
      return Number(offset);
    };
    const want = (from: number, to: number): string[] => {
      const out: string[] = [];
      for (let o = from; o <= to; o++) out.push(`${epoch}:${o}:${o}`);
      return out;
    };
    const reach = (ms: readonly Member[], offset: number, what: string) =>
      waitFor(() => ms.every((m) => m.last >= offset), what, 15_000);

    for (let i = 0; i < 3; i++) await publish();
    await reach(members, 3, 'offsets 1..3 everywhere');

    // (1) Two fan-outs lost; the next one shows the gap.
    await setFanout(false);
    await publish();
    await publish();
    await reach([local], 5, 'the owner’s member gets 4 and 5 live');
    await sleep(300);
    t.same(
      [a.last, b.last],
      [3, 3],
      'the other node’s members got nothing of 4 and 5 (the fan-out was lost)',
    );
    await setFanout(true);
    await publish();
    await reach(members, 6, 'offset 6 everywhere');
    for (const m of [a, b]) t.same(m.got, want(1, 6), 'a lost fan-out is filled in, in order');
    t.same(local.got, want(1, 6), 'the owner’s member got each once');

    // (2) One lost; a join on the other node, answered at 7, shows it to the members there.
    await setFanout(false);
    await publish();
    await reach([local], 7, 'the owner’s member gets 7');
    await setFanout(true);
    const c = await Member.join(n1, 'c', room);
    members.push(c);
    t.equal(c.joinOffset, 7, 'the joiner is answered at 7');
    await reach([a, b], 7, 'the members that were there get 7');
    await publish();
    await reach(members, 8, 'offset 8 everywhere');
    t.same(c.got, want(8, 8), 'the joiner gets what came after its join only');
    for (const m of [a, b]) t.same(m.got, want(1, 8), 'filled in before the join was answered');

    // (3) The last message lost, nothing after it: the check after a reconnect finds it.
    await setFanout(false);
    await publish();
    await reach([local], 9, 'the owner’s member gets 9');
    await writeFile(configPath, config(false));
    await nats.restart(); // same store; the nodes reconnect
    await reach([a, b, c], 9, 'offset 9 reaches the other node without a later message');
    for (const m of [a, b]) t.same(m.got, want(1, 9), 'the tail message, once');
    t.same(c.got, want(8, 9));
    t.same(local.got, want(1, 9));

    // (4) The owner leaves (drains) with its last message not fanned out: the room moves to n1
    // with its state, n1's members are re-joined there, and the answer shows the gap.
    await setFanout(false);
    await publish();
    await reach([local], 10, 'the owner’s member gets 10');
    await n2.close();
    await reach([a, b, c], 10, 'offset 10 reaches n1’s members once the room moved there');
    const { client: pub1 } = await TestClient.connect(n1.url, await n1.token({ sub: 'pub1' }));
    t.teardown(() => pub1.close());
    n += 1;
    const reply = await pub1.request({ op: 'publish', room, data: { n } });
    t.match(reply, { status: 'ok', body: { id: `${epoch}:11` } }, 'the room goes on at n1');
    await reach([a, b, c], 11, 'offset 11 on n1');
    for (const m of [a, b]) t.same(m.got, want(1, 11), 'across the move, each once, in order');
    t.same(c.got, want(8, 11));

    // Nothing more arrives: no duplicate is delivered later.
    await sleep(500);
    for (const m of members) t.equal(new Set(m.got).size, m.got.length, 'no message twice');
  },
);

t.test(
  'cluster rooms gap fill - an owner SIGKILLed after storing a message it never fanned out',
  async (t) => {
    const { nats, setFanout } = await natsWithFanoutSwitch(t);
    // n2 owns the room and runs as its own process, so it can die for real.
    const n2 = await spawnNode([
      '--nats',
      nats.url,
      '--nats-user',
      'owner',
      '--nats-password',
      OWNER_PASSWORD,
      '--node-id',
      'n2',
      '--down-after-ms',
      '1500',
      '--durable-rooms',
      'd.>',
    ]);
    t.teardown(() => {
      n2.proc.kill('SIGKILL');
    });
    const n1 = await startTestNode({
      'down-after-ms': '1500',
      nats: nats.url,
      'nats-user': 'other',
      'nats-password': OTHER_PASSWORD,
      'node-id': 'n1',
      'jwt-secret': n2.secret,
      'durable-rooms': 'd.>',
    });
    t.teardown(() => n1.close());
    await waitFor(async () => (await http(`${n2.http}/readyz`)).status === 200, 'n2 ready');
    await waitFor(() => n1.node.readiness === 'ready', 'n1 ready');

    const room = roomOwnedBy('n2', 'd.kill');
    const a = await Member.join(n1, 'a', room);
    const b = await Member.join(n1, 'b', room);
    t.teardown(() => {
      a.client.close();
      b.client.close();
    });
    const { client: pub } = await TestClient.connect(n2.url, await n2.token({ sub: 'pub' }));
    const publish = async (n: number): Promise<string> => {
      const reply = await pub.request({ op: 'publish', room, data: { n } });
      t.equal(reply.status, 'ok', `publish ${n} ok`, { reply });
      return (reply.body as { id: string }).id;
    };
    await publish(1);
    await publish(2);
    await waitFor(() => a.last >= 2 && b.last >= 2, 'offsets 1 and 2 on n1', 15_000);

    // Stored and answered ok, but its fan-out never reaches n1; then the owner dies at once.
    await setFanout(false);
    const id = await publish(3);
    const epoch = id.split(':')[0] as string;
    n2.proc.kill('SIGKILL');
    await n2.exited;
    pub.close();
    await setFanout(true);

    // n1 sees n2 down, owns the room, reads its stream and re-joins its members there: the
    // answer is past what they got, so the message comes from the room's history.
    await waitFor(() => a.last >= 3 && b.last >= 3, 'offset 3 reaches n1’s members', 20_000);
    const { client: pub1 } = await TestClient.connect(n1.url, await n1.token({ sub: 'pub1' }));
    t.teardown(() => pub1.close());
    const next = await pub1.request({ op: 'publish', room, data: { n: 4 } });
    t.match(next, { status: 'ok', body: { id: `${epoch}:4` } }, 'same epoch, the next offset');
    await waitFor(() => a.last >= 4 && b.last >= 4, 'offset 4 on n1', 15_000);
    const want = [1, 2, 3, 4].map((o) => `${epoch}:${o}:${o}`);
    t.same(a.got, want, 'every stored message once, in order');
    t.same(b.got, want, 'every stored message once, in order');
  },
);

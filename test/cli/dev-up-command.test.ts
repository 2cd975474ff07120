import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import t from 'tap';
import { DEV_DURABLE_ROOMS } from '../../src/cli/dev-up-command.js';
import { ROOM_STREAM, roomStoreSubject } from '../../src/storage/index.js';
import { CLI_PATH } from '../helpers/test-node.js';
import { waitFor } from '../helpers/wait-for.js';
import { TestClient } from '../helpers/ws-client.js';

/** Whether JetStream holds a stored message of `room` (tenant dev) on the dev nats-server. */
async function isStored(natsUrl: string, room: string): Promise<boolean> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const subject = roomStoreSubject('dev', room);
    return await jsm.streams.getMessage(ROOM_STREAM, { last_by_subj: subject }).then(
      (m) => m !== null && m.subject === subject,
      () => false,
    );
  } finally {
    await nc.close();
  }
}

/** A base port with `count` free ports after it (checked, not guaranteed to stay free). */
async function freeRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const ok = await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          new Promise<boolean>((resolve) => {
            const server = createServer();
            server.once('error', () => resolve(false));
            server.listen(base + i, '127.0.0.1', () => server.close(() => resolve(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) return base;
  }
  throw new Error('no free port range');
}

t.test(
  'cli - arq dev up starts NATS and clustered nodes that share rooms, demo.> durable, and Ctrl-C stops them',
  async (t) => {
    const base = await freeRange(2);
    const proc = spawn(
      process.execPath,
      [CLI_PATH, 'dev', 'up', '--nodes', '2', '--base-port', String(base)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    t.teardown(() => proc.kill('SIGKILL'));
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      proc.once('exit', (code) => resolve(code)),
    );
    await waitFor(() => out.includes('arq dev: up'), 'dev up', 60_000);
    const token = /token[^\n]*:\n(\S+)/.exec(out)?.[1];
    if (token === undefined) throw new Error(`no token in:\n${out}`);
    t.match(out, new RegExp(`dev-2 on ws://127.0.0.1:${base + 1}/ws`));
    t.equal(DEV_DURABLE_ROOMS, 'demo.>');
    t.match(out, 'arq dev: durable rooms demo.> (kept in JetStream', 'the banner names them');
    const natsUrl = /nats-server on (nats:\S+)/.exec(out)?.[1];
    if (natsUrl === undefined) throw new Error(`no nats URL in:\n${out}`);
    const a = await TestClient.connect(`ws://127.0.0.1:${base}/ws`, token);
    const b = await TestClient.connect(`ws://127.0.0.1:${base + 1}/ws`, token);
    t.teardown(() => {
      a.client.close();
      b.client.close();
    });
    t.not(a.welcome.node, b.welcome.node);
    t.match(await a.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
    t.match(await b.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
    await b.client.request({ op: 'publish', room: 'lobby', data: 'hi' });
    t.match(
      await a.client.nextWhere((f) => f.op === 'message'),
      { data: 'hi' },
      'across the two nodes',
    );
    t.match(await b.client.request({ op: 'publish', room: 'demo.chat', data: 'kept' }), {
      status: 'ok',
    });
    t.ok(await isStored(natsUrl, 'demo.chat'), 'a demo room is stored in JetStream');
    t.notOk(await isStored(natsUrl, 'lobby'), 'other rooms are not');
    const late = await TestClient.connect(`ws://127.0.0.1:${base}/ws`, token);
    t.teardown(() => late.client.close());
    const replay = await late.client.request({ op: 'join', room: 'demo.chat', since: { ts: 0 } });
    t.notMatch(replay, { body: { recovered: false } });
    t.match(
      await late.client.nextWhere((f) => f.op === 'message'),
      { data: 'kept' },
      'a join since a time replays it (arq tail --since)',
    );
    proc.kill('SIGINT');
    t.equal(await exited, 0, 'Ctrl-C drains the nodes and stops NATS');
  },
);

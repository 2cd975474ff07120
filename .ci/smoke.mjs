// A smoke run of one node on whatever Node runs this script (CI runs it on Node 22 and 24):
// `arq start --dev`, then /healthz, and two WebSocket clients that join a room, publish and
// receive, then SIGTERM and a clean exit. Prints "ok" lines and exits non-zero on the first miss.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

const TIMEOUT_MS = 20_000;
const node = spawn(process.execPath, ['dist/src/cli/main.js', 'start', '--dev', '--port', '0'], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
node.stdout.on('data', (chunk) => {
  out += chunk;
});
node.stderr.on('data', (chunk) => {
  out += chunk;
});
const exited = new Promise((resolve) => node.once('exit', (code) => resolve(code)));
const fail = (why) => {
  console.log(`not ok: ${why}\n${out}`);
  node.kill('SIGKILL');
  process.exit(1);
};
const timer = setTimeout(() => fail(`not done within ${TIMEOUT_MS} ms`), TIMEOUT_MS);

async function started() {
  for (;;) {
    const port = /listening on [\d.]+:(\d+)/.exec(out)?.[1];
    const token = /\n(eyJ[\w-]+\.[\w-]+\.[\w-]+)\n/.exec(out)?.[1];
    if (port !== undefined && token !== undefined) return { port, token };
    if (node.exitCode !== null) fail(`the node exited with ${node.exitCode}`);
    await sleep(50);
  }
}

function client(url) {
  const ws = new WebSocket(url);
  const frames = [];
  const waiters = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    const i = waiters.findIndex((w) => w.match(frame));
    if (i >= 0) waiters.splice(i, 1)[0].resolve(frame);
    else frames.push(frame);
  });
  ws.on('close', (code) => fail(`a socket closed with ${code}`));
  const next = (match) => {
    const i = frames.findIndex(match);
    if (i >= 0) return Promise.resolve(frames.splice(i, 1)[0]);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
  return { ws, next };
}

const { port, token } = await started();
console.log(`ok: ${process.version} node listening on ${port}`);
const health = await fetch(`http://127.0.0.1:${port}/healthz`);
if (health.status !== 200) fail(`/healthz answered ${health.status}`);
console.log('ok: /healthz 200');
const a = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
const b = client(`ws://127.0.0.1:${port}/ws?token=${token}`);
await Promise.all([a.next((f) => f.op === 'welcome'), b.next((f) => f.op === 'welcome')]);
a.ws.send(JSON.stringify({ op: 'join', room: 'smoke', ref: '1' }));
b.ws.send(JSON.stringify({ op: 'join', room: 'smoke', ref: '1' }));
await Promise.all([a.next((f) => f.ref === '1'), b.next((f) => f.ref === '1')]);
console.log('ok: two clients welcomed and joined');
a.ws.send(JSON.stringify({ op: 'publish', room: 'smoke', data: { n: 1 }, ref: '2' }));
const [reply, message] = await Promise.all([
  a.next((f) => f.ref === '2'),
  b.next((f) => f.op === 'message'),
]);
if (reply.status !== 'ok' || message.data?.n !== 1) fail('publish not answered or not delivered');
console.log('ok: published and delivered');
a.ws.removeAllListeners('close');
b.ws.removeAllListeners('close');
a.ws.close();
b.ws.close();
node.kill('SIGTERM');
const code = await exited;
clearTimeout(timer);
if (code !== 0) fail(`SIGTERM: exit ${code}`);
console.log('ok: drained and exited 0');

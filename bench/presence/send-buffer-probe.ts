/*
 * Where bench:presence's native RSS goes: does the loaded uWS build keep a socket's send buffer
 * after it drained? A bare uWS server (the build src/uws picks for this Node) sends one large frame
 * to each of N raw sockets that do not read, so uWS holds the part the kernel did not take; the
 * sockets then read everything, stay open, and finally close. RSS is read at each step. If RSS
 * stays up while the drained sockets are open and falls when they close (with glibc told to map
 * large blocks, so that a free returns them), the buffers are kept per socket until it closes.
 *
 *   node dist/bench/presence/send-buffer-probe.js [--sockets 300] [--kib 400]
 *   MALLOC_MMAP_THRESHOLD_=65536 node dist/bench/presence/send-buffer-probe.js
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadUws } from '../../src/uws/index.js';
import { BENCH_HOST, BenchError, numberFlag, readVmRssBytes } from '../lib/index.js';

const DEFAULT_SOCKETS = 300;
const DEFAULT_KIB = 400;
/** Far above the frame: uWS must buffer it, not drop the socket. */
const MAX_BACKPRESSURE = 64 * 1024 * 1024;
const SETTLE_MS = 3_000;
const IDLE_MS = 5_000;
const MIB = 1024 * 1024;
const UPGRADE_REQUEST =
  'GET / HTTP/1.1\r\nHost: probe\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

const { values } = parseArgs({
  options: { sockets: { type: 'string' }, kib: { type: 'string' } },
});
const sockets = numberFlag('sockets', values.sockets ?? String(DEFAULT_SOCKETS), {
  min: 1,
  integer: true,
});
const kib = numberFlag('kib', values.kib ?? String(DEFAULT_KIB), { min: 1, integer: true });

const uws = loadUws().module;
const frame = Buffer.alloc(kib * 1024, 'a');
const rssMiB = (): string => (readVmRssBytes(process.pid) / MIB).toFixed(0);

const app = uws.App().ws('/*', {
  maxBackpressure: MAX_BACKPRESSURE,
  open: (ws) => {
    ws.send(frame, false);
  },
});
const port = await new Promise<number>((resolve, reject) =>
  app.listen(BENCH_HOST, 0, (token) => {
    if (token === false) reject(new BenchError('ARQ_ERR_BENCH_SERVER', 'uWS did not listen'));
    else resolve(uws.us_socket_local_port(token));
  }),
);

const before = rssMiB();
const clients: Socket[] = [];
for (let i = 0; i < sockets; i++) {
  const socket = connect(port, BENCH_HOST);
  socket.pause();
  socket.write(UPGRADE_REQUEST);
  clients.push(socket);
}
await sleep(SETTLE_MS);
const unread = rssMiB();
let read = 0;
for (const socket of clients) {
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
  });
  socket.resume();
}
await sleep(SETTLE_MS);
const drained = rssMiB();
await sleep(IDLE_MS);
const idle = rssMiB();
for (const socket of clients) socket.destroy();
await sleep(SETTLE_MS);
const closed = rssMiB();
console.log(
  `uWS ${loadUws().build.upstream}, Node ${process.version}, ${sockets} sockets x ${kib} KiB frame, ` +
    `MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? '(unset)'}\n` +
    `RSS MiB: before ${before}; frames unread ${unread}; all read (${(read / MIB).toFixed(0)} MiB) ${drained}; ` +
    `${IDLE_MS / 1000} s later ${idle}; sockets closed ${closed}`,
);
process.exit(0);

/*
 * Socket.IO 4 peer for the benches: `node dist/bench/peers/socketio/main.js --host H --port P`
 * (port 0 picks a free one). Prints `socketio: listening on H:PORT`; SIGTERM/SIGINT stop it.
 */
import { parseArgs } from 'node:util';
import { SocketIoPeerServer } from './socket-io-peer-server.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
  },
});
const server = await SocketIoPeerServer.listen(values.host, Number(values.port));
console.log(`socketio: listening on ${values.host}:${server.port}`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

/*
 * Bare uWS.js pub/sub peer for the benches: `node dist/bench/peers/bare-uws/main.js --host H --port P`
 * [--hop] (port 0 picks a free one; --hop sends each message frame through a worker thread and back). Prints `bare-uws: listening on H:PORT`; SIGTERM/SIGINT stop it.
 */
import { parseArgs } from 'node:util';
import { BareUwsServer } from './bare-uws-server.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    hop: { type: 'boolean', default: false },
  },
});
const server = await BareUwsServer.listen(values.host, Number(values.port), values.hop);
console.log(`bare-uws: listening on ${values.host}:${server.port}`);
const stop = (): void => {
  server.close();
  // Closing sockets completes on the next loop turns; then nothing holds the process.
  setTimeout(() => process.exit(0), 200);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

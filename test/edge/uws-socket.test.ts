import t, { type Test } from 'tap';
import WebSocket from 'ws';
import { PublishClock } from '../../src/edge/publish-clock.js';
import { UwsSocket } from '../../src/edge/uws-socket.js';
import {
  loadUws,
  type WebSocket as UwsWebSocket,
  type us_listen_socket,
} from '../../src/uws/index.js';
import { waitFor } from '../helpers/wait-for.js';

const uWS = loadUws().module;

const TOPIC = 'room';

/** A uWS app whose one socket is adapted by UwsSocket; `act` runs on each client text frame. */
async function harness(
  t: Test,
  act: (socket: UwsSocket<object>, publish: (text: string) => void, command: string) => void,
): Promise<{ client: WebSocket; received: string[] }> {
  const app = uWS.App();
  const clock = new PublishClock();
  const publish = (text: string): void => {
    app.publish(TOPIC, text);
    clock.tick();
  };
  let socket: UwsSocket<object> | null = null;
  app.ws('/*', {
    open: (ws: UwsWebSocket<object>) => {
      socket = new UwsSocket(ws, clock);
      socket.subscribe(TOPIC);
    },
    message: (_ws, message) => {
      const command = Buffer.from(message).toString();
      // A timer, as the edge's ring drain is: publishes and unsubscribes in one turn of it.
      setTimeout(() => {
        if (socket !== null) act(socket, publish, command);
      }, 1);
    },
  });
  const listen = await new Promise<us_listen_socket>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (socket) => {
      if (socket === false) reject(new Error('cannot listen'));
      else resolve(socket);
    }),
  );
  const port = uWS.us_socket_local_port(listen);
  const client = new WebSocket(`ws://127.0.0.1:${port}/`);
  const received: string[] = [];
  client.on('message', (data: Buffer) => received.push(data.toString()));
  client.on('ping', () => received.push('<ping>'));
  await new Promise((resolve) => client.once('open', resolve));
  t.teardown(() => {
    client.terminate();
    uWS.us_listen_socket_close(listen);
  });
  return { client, received };
}

t.test(
  'uws-socket - an unsubscribe in the turn of a publish still delivers that publish, not later ones',
  async (t) => {
    const { client, received } = await harness(t, (socket, publish) => {
      publish('before');
      socket.unsubscribe(TOPIC);
      publish('after');
      socket.send('done');
    });
    client.send('go');
    await waitFor(() => received.includes('done'), 'the closing frame');
    t.same(
      received.filter((m) => m !== '<ping>'),
      ['before', 'done'],
    );
  },
);

t.test('uws-socket - a socket that sent since the last publish is not pinged', async (t) => {
  const { client, received } = await harness(t, (socket, publish, command) => {
    if (command === 'pinged') {
      publish('held');
      socket.unsubscribe(TOPIC);
      socket.send('done-1');
      socket.subscribe(TOPIC);
      return;
    }
    publish('written by the reply');
    socket.send('reply');
    socket.unsubscribe(TOPIC);
    socket.send('done-2');
  });
  client.send('pinged');
  await waitFor(() => received.includes('done-1'), 'the first closing frame');
  t.same(received, ['held', '<ping>', 'done-1'], 'a ping writes what uWS held');
  received.length = 0;
  client.send('quiet');
  await waitFor(() => received.includes('done-2'), 'the second closing frame');
  t.same(received, ['written by the reply', 'reply', 'done-2'], 'no ping');
});

t.test('uws-socket - a closed socket ignores sends and unsubscribes', async (t) => {
  const { client, received } = await harness(t, (socket, publish) => {
    socket.markClosed();
    publish('x');
    t.doesNotThrow(() => socket.unsubscribe(TOPIC));
    t.doesNotThrow(() => socket.send('never'));
    t.equal(socket.bufferedAmount(), 0);
  });
  client.send('go');
  await waitFor(() => received.includes('x'), 'the topic message');
  t.notOk(received.includes('never'));
});

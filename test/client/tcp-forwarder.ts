/**
 * A TCP forwarder in front of real nodes, standing for the network (or a load balancer) between a
 * client and a cluster: one stable address whose target can change. A node cannot listen again on
 * a port it just drained (its closed connections linger in TIME_WAIT), so "the node came back at
 * the same address" is modelled by re-targeting this forwarder.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpForwarder {
  readonly port: number;
  /** New connections go to `port` from now on. */
  retarget(port: number): void;
  /** Cuts every open connection without a close handshake, as a network failure would. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startForwarder(targetPort: number): Promise<TcpForwarder> {
  let target = targetPort;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((inbound) => {
    const outbound = connect(target, '127.0.0.1');
    track(inbound);
    track(outbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    retarget: (next) => {
      target = next;
    },
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

import type { MessagePort } from 'node:worker_threads';
import { type ActorAddress, type ThreadAddress, threadKey } from './actor-ref.js';
import { ActorError } from './errors.js';
import type { RemoteEnvelope, RemoteSink, RemoteTransport } from './remote-envelope.js';

/**
 * A RemoteTransport over worker_threads MessagePorts, one port per peer thread. Envelopes travel by
 * structured clone, so message bodies must be cloneable (else ARQ_ERR_UNSERIALIZABLE). When a peer's port closes (its thread ended
 * or the other side closed it), the system hears `remoteDown` and its monitors and links on that peer
 * fire with `noconnection`.
 */
export class MessagePortTransport implements RemoteTransport {
  readonly #ports = new Map<string, MessagePort>();
  #sink: RemoteSink | null = null;

  attach(sink: RemoteSink): void {
    this.#sink = sink;
  }

  /** Routes envelopes for `peer` through `port` and delivers what arrives on it. */
  connect(peer: ThreadAddress, port: MessagePort): void {
    const key = threadKey(peer);
    const at: ThreadAddress = { node: peer.node, thread: peer.thread };
    this.#ports.get(key)?.close();
    this.#ports.set(key, port);
    port.on('message', (envelope: RemoteEnvelope) => this.#sink?.deliverRemote(envelope));
    port.once('close', () => {
      if (this.#ports.get(key) !== port) return;
      this.#ports.delete(key);
      this.#sink?.remoteDown(at);
    });
  }

  /** Closes the port to `peer`; both sides see the peer as down. */
  disconnect(peer: ThreadAddress): void {
    this.#ports.get(threadKey(peer))?.close();
  }

  send(target: ActorAddress, envelope: RemoteEnvelope): void {
    const port = this.#ports.get(threadKey(target));
    if (port === undefined) {
      throw new ActorError('ARQ_ERR_NO_ROUTE', `no port to ${threadKey(target)}`);
    }
    try {
      port.postMessage(envelope);
    } catch (error) {
      throw new ActorError(
        'ARQ_ERR_UNSERIALIZABLE',
        `${envelope.type} for ${threadKey(target)} cannot be cloned`,
        { cause: error },
      );
    }
  }

  /** Closes every port (lets the thread exit). */
  close(): void {
    for (const port of [...this.#ports.values()]) port.close();
  }
}

import {
  ConnectionActor,
  type ConnectionHost,
  messageDeliveryOf,
  roomOfKey,
  topicOf,
} from '../../actors/index.js';
import {
  CLOSE_DRAINING,
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_POLICY_DROP,
  EncodedMessage,
  encodeBinaryFrame,
  encodeTextFrame,
  httpErrorBody,
  type Presences,
  toWireError,
} from '../../proto/wire/index.js';
import type { Principal } from '../auth/index.js';
import type { ShardDelivery } from '../shard/index.js';
import {
  type HttpRequest,
  type HttpResponse,
  loadUws,
  type TemplatedApp,
  type UwsModule,
  type us_listen_socket,
  type us_socket,
  type us_socket_context_t,
  type WebSocket,
} from '../uws/index.js';
import { DeliveredPositions } from './delivered-positions.js';
import { EdgeError } from './edge-error.js';
import type { ConnectAttempt, EdgeOptions } from './edge-options.js';
import { PublishClock } from './publish-clock.js';
import { RoomRestores } from './room-restores.js';
import { RoomTopics } from './room-topics.js';
import { UwsSocket } from './uws-socket.js';

interface SocketData {
  readonly principal: Principal;
  /** The client's address as the upgrade saw it (on_connect's `remote`). */
  readonly remote: string;
  readonly connId: number;
  actor: ConnectionActor | null;
  socket: UwsSocket<SocketData> | null;
}

const SWEEP_MS = 250;
/**
 * What uWS buffers beyond the 4008 limit before it drops frames (the close frame included): at
 * least the limit again, and enough for a burst between two sweeps, so that the sweep finds a slow
 * reader over the limit while its close frame still fits. A slow reader costs at most the limit
 * plus this.
 */
const MIN_BACKPRESSURE_HEADROOM_BYTES = 1024 * 1024;
const MIN_IDLE_TIMEOUT_S = 8;
/** Below 2^31: ids from 2^31 up are the cluster's proxies for other nodes' connections. */
const MAX_CONN_ID = 0x7fff_ffff;
/**
 * uWS cuts a frame over its own limit without a close frame (the client sees 1006), so uWS gets
 * twice the hard limit and the edge closes frames between the two with a proper 1009.
 */
const UWS_PAYLOAD_FACTOR = 2;
/** JSON members' topic, then protobuf members' topic. */
const BOTH_ENCODINGS = [false, true] as const;

/**
 * The node's edge: the only owner of sockets (ARCHITECTURE.md: uWS lives in the main thread and only there).
 * It authenticates upgrades, runs one ConnectionActor per socket, fans room deliveries out through
 * uWS topics (one publish per encoding with subscribers, never a loop over sockets), and serves HTTP.
 */
export class EdgeServer {
  readonly #uws: UwsModule = loadUws().module;
  readonly #options: EdgeOptions;
  readonly #host: ConnectionHost;
  readonly #app: TemplatedApp;
  readonly #connections = new Map<number, SocketData>();
  readonly #perTenant = new Map<string, number>();
  readonly #topics = new RoomTopics();
  readonly #positions = new DeliveredPositions();
  readonly #restores = new RoomRestores();
  readonly #publishes = new PublishClock();
  #listenSocket: us_listen_socket | null = null;
  #port = 0;
  #nextConnId = 1;
  #sweep: NodeJS.Timeout | null = null;
  #peakSendBuffer = 0;

  constructor(options: EdgeOptions, host: ConnectionHost, routes: (app: TemplatedApp) => void) {
    this.#options = options;
    this.#host = host;
    this.#app = options.tls
      ? this.#uws.SSLApp({
          cert_file_name: options.tls.certFile,
          key_file_name: options.tls.keyFile,
        })
      : this.#uws.App();
    this.#app.ws<SocketData>('/ws', {
      maxPayloadLength: options.hardMaxFrameBytes * UWS_PAYLOAD_FACTOR,
      maxBackpressure:
        options.maxSendBufferBytes +
        Math.max(options.maxSendBufferBytes, MIN_BACKPRESSURE_HEADROOM_BYTES),
      closeOnBackpressureLimit: false,
      idleTimeout: Math.max(MIN_IDLE_TIMEOUT_S, Math.ceil((2 * options.heartbeatMs) / 1000)),
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => this.#upgrade(res, req, context),
      open: (ws) => this.#open(ws),
      message: (ws, message, isBinary) => {
        const actor = ws.getUserData().actor;
        if (actor === null) return;
        if (message.byteLength > options.hardMaxFrameBytes) {
          actor.close(CLOSE_MESSAGE_TOO_BIG, `frame over ${options.hardMaxFrameBytes} bytes`);
          return;
        }
        actor.received(new Uint8Array(message), isBinary, Date.now());
      },
      close: (ws) => this.#closed(ws),
    });
    routes(this.#app);
  }

  get port(): number {
    return this.#port;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /** The largest send buffer of one socket that a sweep has seen (how far slow readers got). */
  get peakSendBufferBytes(): number {
    return this.#peakSendBuffer;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#app.listen(this.#options.host, this.#options.port, (socket) => {
        if (!socket) {
          reject(
            new EdgeError(
              'ARQ_ERR_EDGE_LISTEN',
              `cannot listen on ${this.#options.host}:${this.#options.port}`,
            ),
          );
          return;
        }
        this.#listenSocket = socket;
        this.#port = this.#uws.us_socket_local_port(socket as unknown as us_socket);
        this.#sweep = setInterval(() => this.#tick(), SWEEP_MS);
        this.#sweep.unref();
        resolve(this.#port);
      });
    });
  }

  /**
   * Closes every socket with 4009 (upgrades are already refused: readiness is `draining`), then
   * keeps serving HTTP for `timeoutMs`, so that what was sent flushes and load balancers see
   * /readyz answer 503, and stops listening. With no socket open there is nothing to wait for.
   */
  async drain(timeoutMs: number): Promise<void> {
    const connections = [...this.#connections.values()];
    for (const data of connections) data.actor?.drain(CLOSE_DRAINING, 'node draining');
    if (connections.length > 0 && timeoutMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    }
    this.close();
  }

  /** Ends everything now: sockets still open are cut without a close frame. */
  close(): void {
    this.#stopListening();
    if (this.#sweep !== null) clearInterval(this.#sweep);
    this.#sweep = null;
    this.#restores.close();
    for (const data of [...this.#connections.values()]) data.socket?.ws.close();
  }

  /** Room deliveries from the shards: one uWS topic publish per encoding that has subscribers. */
  deliver(delivery: ShardDelivery): void {
    const topics = this.#topics.of(delivery.roomKey);
    const message = new EncodedMessage(
      messageDeliveryOf(topics.room, delivery.epoch, delivery.offset, delivery.ts, delivery.body),
    );
    if (delivery.direct) {
      this.#connections.get(delivery.connId)?.actor?.deliver(message);
      return;
    }
    const sender = delivery.echo ? undefined : this.#connections.get(delivery.connId)?.socket?.ws;
    let recipients = 0;
    for (const binary of BOTH_ENCODINGS) {
      const topic = binary ? topics.messageBinary : topics.messageJson;
      const count = this.#app.numSubscribers(topic);
      if (count === 0) continue;
      recipients += count;
      const frame = binary ? message.binary : message.text;
      // ws.publish skips the publishing socket itself: that is `echo: false`. But uWS drops a
      // ws.publish from a socket that is not subscribed to anything, so a sender that is not in
      // this topic publishes through the app (it cannot receive it anyway).
      if (sender?.isSubscribed(topic)) sender.publish(topic, frame, binary);
      else this.#app.publish(topic, frame, binary);
      this.#publishes.tick();
    }
    this.#positions.delivered(delivery.roomKey, delivery.epoch, delivery.offset, recipients);
    this.#options.metrics.deliveries(recipients);
    this.#options.metrics.fanoutLatency(Math.max(0, Date.now() - delivery.ingressTs) / 1000);
  }

  /** Publishes a presence diff body to the room's presence topics. */
  presenceDiff(roomKey: string, joins: Presences, leaves: Presences): void {
    const frame = { op: 'presence_diff', room: roomOfKey(roomKey), joins, leaves } as const;
    for (const encoding of ['j', 'b'] as const) {
      const topic = topicOf('p', encoding, roomKey);
      if (this.#app.numSubscribers(topic) === 0) continue;
      const bytes = encoding === 'j' ? encodeTextFrame(frame) : encodeBinaryFrame(frame);
      this.#app.publish(topic, bytes, encoding === 'b');
      this.#publishes.tick();
    }
  }

  /** Every open connection, for on_connect re-checks; `drop` closes one with 4003. */
  *liveConnections(): IterableIterator<ConnectAttempt & { drop(reason: string): void }> {
    for (const data of this.#connections.values()) {
      const actor = data.actor;
      if (actor === null || actor.state !== 'open') continue;
      yield {
        ...connectAttempt(data.principal, data.remote),
        drop: (reason) => actor.close(CLOSE_POLICY_DROP, reason),
      };
    }
  }

  /**
   * Each connection in a room restarts its membership. `fromDelivered` (its shard restarted or the
   * room crashed: the old room delivers nothing more) asks the new room for what it holds past the
   * last message this edge fanned out. A room that moved to another owner (`fromDelivered` false)
   * may still have deliveries on their way here, which a replay would repeat.
   */
  restoreRooms(match: (roomKey: string) => boolean, fromDelivered: boolean): number {
    let restored = 0;
    for (const data of this.#connections.values()) {
      const actor = data.actor;
      if (actor === null) continue;
      for (const roomKey of actor.roomKeys()) {
        if (match(roomKey)) {
          const since = fromDelivered ? this.#positions.of(roomKey) : null;
          this.#restores.restore(data.connId, actor, roomKey, since);
          restored++;
        }
      }
    }
    return restored;
  }

  #upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    // The request object is only valid until this returns: read everything now.
    const key = req.getHeader('sec-websocket-key');
    const protocol = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const authorization = req.getHeader('authorization');
    const token = req.getQuery('token') || bearer(authorization);
    const remote = textDecoder.decode(res.getRemoteAddressAsText());
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const refuse = (
      status: string,
      code: 'unauthorized' | 'rate_limited' | 'overloaded' | 'policy_denied',
      message: string,
    ): void => {
      if (aborted) return;
      this.#options.metrics.rejected(code);
      res.cork(() => {
        res
          .writeStatus(status)
          .writeHeader('content-type', 'application/json')
          .end(httpErrorBody(code, message));
      });
    };
    if (this.#options.readiness() !== 'ready') {
      refuse('503 Service Unavailable', 'overloaded', 'node is not accepting connections');
      return;
    }
    if (!token) {
      refuse('401 Unauthorized', 'unauthorized', 'token missing');
      return;
    }
    const admitted = (principal: Principal): Promise<Principal | null> =>
      this.#options.checkConnect(connectAttempt(principal, remote)).then((denial) => {
        if (denial === null) return principal;
        refuse('403 Forbidden', 'policy_denied', denial.reason);
        return null;
      });
    this.#options.verify(decodeURIComponentSafe(token)).then(
      (verified) =>
        admitted(verified).then((principal) => {
          if (principal === null || aborted) return;
          // The node may have started draining while the token was checked.
          if (this.#options.readiness() !== 'ready') {
            refuse('503 Service Unavailable', 'overloaded', 'node is not accepting connections');
            return;
          }
          if (
            (this.#perTenant.get(principal.tenant) ?? 0) >= this.#options.maxConnectionsPerTenant
          ) {
            refuse('429 Too Many Requests', 'rate_limited', 'tenant connection limit reached');
            return;
          }
          const data: SocketData = {
            principal,
            remote,
            connId: this.#allocateConnId(),
            actor: null,
            socket: null,
          };
          res.cork(() => res.upgrade(data, key, protocol, extensions, context));
        }),
      (error: unknown) => refuse('401 Unauthorized', 'unauthorized', toWireError(error).message),
    );
  }

  #open(ws: WebSocket<SocketData>): void {
    const data = ws.getUserData();
    const socket = new UwsSocket(ws, this.#publishes);
    const actor = new ConnectionActor(data.connId, data.principal, socket, this.#host);
    data.socket = socket;
    data.actor = actor;
    this.#connections.set(data.connId, data);
    this.#perTenant.set(
      data.principal.tenant,
      (this.#perTenant.get(data.principal.tenant) ?? 0) + 1,
    );
    this.#options.metrics.setConnections(this.#connections.size);
    actor.opened();
  }

  #closed(ws: WebSocket<SocketData>): void {
    const data = ws.getUserData();
    data.socket?.markClosed();
    data.actor?.closed();
    if (this.#connections.delete(data.connId)) {
      const left = (this.#perTenant.get(data.principal.tenant) ?? 1) - 1;
      if (left === 0) this.#perTenant.delete(data.principal.tenant);
      else this.#perTenant.set(data.principal.tenant, left);
    }
    this.#options.metrics.setConnections(this.#connections.size);
  }

  #tick(): void {
    const now = Date.now();
    for (const data of this.#connections.values()) {
      const buffered = data.socket?.bufferedAmount() ?? 0;
      if (buffered > this.#peakSendBuffer) this.#peakSendBuffer = buffered;
      data.actor?.tick(now);
    }
  }

  #allocateConnId(): number {
    // Ids are reused only after 2^32 connections, and never while a connection holds one.
    do {
      this.#nextConnId = this.#nextConnId >= MAX_CONN_ID ? 1 : this.#nextConnId + 1;
    } while (this.#connections.has(this.#nextConnId));
    return this.#nextConnId;
  }

  #stopListening(): void {
    if (this.#listenSocket !== null) {
      this.#uws.us_listen_socket_close(this.#listenSocket);
      this.#listenSocket = null;
    }
  }
}

const textDecoder = new TextDecoder();

/** on_connect's view of a verified token: its claims as the token had them. */
function connectAttempt(principal: Principal, remote: string): ConnectAttempt {
  const claims: Record<string, unknown> = {
    sub: principal.sub,
    tid: principal.tenant,
    rooms: principal.rooms.map((r) => r.source),
    caps: [...principal.caps],
  };
  if (principal.expiresAtMs !== null) claims.exp = Math.floor(principal.expiresAtMs / 1000);
  if (principal.issuedAtMs !== null) claims.iat = Math.floor(principal.issuedAtMs / 1000);
  return { tenant: principal.tenant, sub: principal.sub, claims, remote };
}

function bearer(header: string): string {
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim() ?? '';
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

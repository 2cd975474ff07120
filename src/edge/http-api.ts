import {
  encodePublishPayload,
  encodeSender,
  type PresenceTracker,
  type RoomGateway,
  roomKeyOf,
} from '../../actors/index.js';
import {
  decodeTextFrameBytes,
  isValidRoomName,
  toWireError,
  WireError,
} from '../../proto/wire/index.js';
import { type Cap, type Principal, principalMayAccess } from '../auth/index.js';
import type { HttpRequest, TemplatedApp } from '../uws/index.js';
import type { EdgeOptions } from './edge-options.js';
import { historyParams, httpHistory } from './http-history.js';
import { Reply, readBody } from './http-response.js';
import { type PolicyAdmin, policyRoutes } from './policy-routes.js';

export interface HttpApiOptions {
  readonly nodeId: string;
  readonly edge: EdgeOptions;
  readonly rooms: RoomGateway;
  readonly presence: PresenceTracker;
  /** Takes one publish from the tenant's budget (HTTP publishes count as the tenant's too). */
  readonly tenantMayPublish: (tenant: string, nowMs: number) => boolean;
  /** The admin API of safety policies (PROTOCOL section 6). */
  readonly policies: PolicyAdmin;
}

/** The connection id of publishes made over HTTP (no socket: nothing to exclude from fan-out). */
const HTTP_CONN_ID = 0;

/**
 * The HTTP API of docs/protocol.md, "HTTP API" on the edge's uWS app: health, readiness, metrics, the
 * server publish/presence API and the admin chaos endpoint. Errors use the wire codes and bodies.
 */
export function httpRoutes(options: HttpApiOptions): (app: TemplatedApp) => void {
  const { edge } = options;
  const authorize = async (req: HttpRequest, cap: Cap): Promise<Principal> => {
    const match = /^Bearer\s+(.+)$/i.exec(req.getHeader('authorization'));
    if (!match?.[1]) throw new WireError('unauthorized', 'token missing');
    const principal = await edge.verify(match[1].trim());
    if (!principal.caps.has(cap))
      throw new WireError('forbidden', `the token lacks the ${cap} capability`);
    return principal;
  };
  const fail = (reply: Reply, error: unknown): void => {
    const wire = toWireError(error);
    edge.metrics.rejected(wire.code);
    reply.error(wire.code, wire.message);
  };

  return (app) => {
    app.get('/healthz', (res) =>
      new Reply(res).json('200 OK', { status: 'ok', node: options.nodeId }),
    );

    app.get('/readyz', (res) => {
      const state = edge.readiness();
      new Reply(res).json(state === 'ready' ? '200 OK' : '503 Service Unavailable', {
        status: state,
        node: options.nodeId,
      });
    });

    app.get('/metrics', (res, req) => {
      const reply = new Reply(res);
      const gate = edge.publicMetrics ? Promise.resolve(null) : authorize(req, 'admin');
      gate
        .then(() => edge.metrics.render())
        .then((text) => reply.send('200 OK', edge.metrics.contentType, text))
        .catch((error: unknown) => fail(reply, error));
    });

    app.post('/v1/publish', (res, req) => {
      const reply = new Reply(res);
      const principal = authorize(req, 'server');
      const body = readBody(res, reply, edge.maxHttpBodyBytes);
      void Promise.all([principal, body])
        .then(([p, bytes]) => {
          if (bytes === null) return;
          httpPublish(options, p, bytes, reply, fail);
        })
        .catch((error: unknown) => fail(reply, error));
    });

    app.get('/v1/rooms/:room/presence', (res, req) => {
      const reply = new Reply(res);
      const room = decodeURIComponentOrNull(req.getParameter(0) ?? '');
      authorize(req, 'server')
        .then((p) => {
          if (room === null || !isValidRoomName(room))
            throw new WireError('bad_frame', 'room: not a valid room name');
          const roomKey = roomKeyOf(p.tenant, room);
          if (!options.presence.has(roomKey))
            throw new WireError('no_such_room', 'no one is in this room');
          reply.json('200 OK', { room, presences: options.presence.list(roomKey) });
        })
        .catch((error: unknown) => fail(reply, error));
    });

    app.get('/v1/rooms/:room/history', (res, req) => {
      const reply = new Reply(res);
      const room = decodeURIComponentOrNull(req.getParameter(0) ?? '');
      const params = historyParams(req);
      authorize(req, 'server')
        .then((p) => httpHistory(options.rooms, p, room, params, reply, fail))
        .catch((error: unknown) => fail(reply, error));
    });

    app.post('/v1/admin/chaos/kill-worker', (res, req) => {
      const reply = new Reply(res);
      const kill = edge.killWorker;
      if (kill === null) {
        reply.error('no_such_room', 'chaos endpoints are off (start the node with --chaos)');
        return;
      }
      const principal = authorize(req, 'admin');
      const body = readBody(res, reply, edge.maxHttpBodyBytes);
      void Promise.all([principal, body])
        .then(([, bytes]) => {
          if (bytes === null) return;
          const shard = parseShard(bytes);
          const killed = kill(shard);
          if (killed === null)
            throw new WireError('overloaded', 'that shard is not running right now');
          reply.json('200 OK', { killed });
        })
        .catch((error: unknown) => fail(reply, error));
    });

    policyRoutes(app, options.policies, authorize, fail);

    app.any('/*', (res) => new Reply(res).error('no_such_room', 'no such endpoint'));
  };
}

function httpPublish(
  options: HttpApiOptions,
  principal: Principal,
  bytes: Buffer,
  reply: Reply,
  fail: (reply: Reply, error: unknown) => void,
): void {
  // The body is a publish frame without `op`: reuse the frame decoder for one set of rules.
  let object: unknown;
  try {
    object = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new WireError('bad_frame', 'body is not JSON');
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new WireError('bad_frame', 'body must be a JSON object');
  }
  const decoded = decodeTextFrameBytes(Buffer.from(JSON.stringify({ ...object, op: 'publish' })));
  if (!decoded.ok) throw decoded.error;
  const frame = decoded.frame;
  if (frame.op !== 'publish') throw new WireError('bad_frame', 'not a publish');
  if (!isValidRoomName(frame.room)) throw new WireError('bad_frame', 'room: not a valid room name');
  if (!principalMayAccess(principal, frame.room))
    throw new WireError('forbidden', 'the token does not allow this room');
  const now = Date.now();
  if (!options.tenantMayPublish(principal.tenant, now))
    throw new WireError('rate_limited', 'tenant publish rate exceeded');
  const payload = encodePublishPayload(
    encodeSender(principal.sub),
    frame.headers,
    frame.dataFormat,
    frame.data,
  );
  options.rooms.publish(
    roomKeyOf(principal.tenant, frame.room),
    HTTP_CONN_ID,
    payload,
    true,
    now,
    (error, answer) => {
      if (error !== null || answer === null) fail(reply, error);
      else reply.json('200 OK', { id: answer.id, offset: answer.offset });
    },
  );
}

/** A path segment, percent-decoded; null when its escapes are malformed. */
function decodeURIComponentOrNull(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function parseShard(bytes: Buffer): number | null {
  if (bytes.length === 0) return null;
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new WireError('bad_frame', 'body is not JSON');
  }
  if (typeof body !== 'object' || body === null)
    throw new WireError('bad_frame', 'body must be a JSON object');
  const shard = (body as { shard?: unknown }).shard;
  if (shard === undefined) return null;
  if (typeof shard !== 'number' || !Number.isSafeInteger(shard) || shard < 0) {
    throw new WireError('bad_frame', 'shard: must be a non-negative integer');
  }
  return shard;
}

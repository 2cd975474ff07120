import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { HistoryAnswer, HistoryQuery, ResumeFrom } from '../../../actors/index.js';
import { type Envelope, EnvelopeSchema, EnvelopeKind as WireKind } from '../../../proto/index.js';
import { ClusterError, quote } from '../base/index.js';
import { decodeHistoryEntries, encodeHistoryEntries } from './history-wire.js';
import { type RoomRouteErrorCode, routeCodeOf } from './room-route-error.js';

/**
 * Room traffic between nodes, as protobuf `Envelope`s. What the envelope has no field for travels
 * in `headers` under `arq-` keys (user headers stay inside the opaque payload, so they cannot clash):
 *
 *   request  (arq.pub..., request/reply)  kind JOIN | LEAVE | PUBLISH, tenant, room,
 *            origin_node + arq-inc + from_conn = the asking node, its incarnation and its
 *            connection; JOIN: arq-since-epoch + arq-since-offset or arq-since-ts,
 *            arq-restore; PUBLISH: payload, echo, ingress_ts_ms; CONTROL + arq-op=history
 *            (a history read): arq-since-epoch + arq-since-offset or arq-since-ts, or arq-before,
 *            and arq-limit
 *   reply                                  kind JOIN (epoch, offset, arq-recovered) | LEAVE |
 *                                          PUBLISH (id, offset) | CONTROL (arq-error, arq-message)
 *                                          | CONTROL + arq-op=history (epoch, offset, arq-more,
 *                                          arq-recovered, payload = the page's entries, below)
 *   fan      (arq.fan...)                  kind DELIVERY, arq-owner = the publishing owner node,
 *            origin_node + from_conn = the sender (from_conn 0: none), offset, epoch,
 *            room_ts_ms, ingress_ts_ms, echo, payload
 *   direct   (arq.dir...)                  kind DELIVERY, arq-to = the recipient connection, ...
 *
 * Decoders check every field they use and throw ARQ_ERR_CLUSTER_MALFORMED; nothing from the
 * network reaches a room or the edge unchecked.
 */
export type RoomRequest =
  | {
      readonly type: 'join';
      readonly tenant: string;
      readonly room: string;
      readonly node: string;
      readonly incarnation: string;
      readonly conn: number;
      readonly since: ResumeFrom | null;
      readonly restore: boolean;
    }
  | {
      readonly type: 'leave';
      readonly tenant: string;
      readonly room: string;
      readonly node: string;
      readonly incarnation: string;
      readonly conn: number;
    }
  | {
      readonly type: 'publish';
      readonly tenant: string;
      readonly room: string;
      readonly node: string;
      readonly incarnation: string;
      readonly conn: number;
      readonly payload: Uint8Array;
      readonly echo: boolean;
      readonly ingressTs: number;
    }
  | {
      readonly type: 'history';
      readonly tenant: string;
      readonly room: string;
      readonly node: string;
      readonly incarnation: string;
      readonly conn: number;
      readonly query: HistoryQuery;
    };

export type RoomReply =
  | {
      readonly type: 'joined';
      readonly epoch: string;
      readonly offset: number;
      readonly recovered: boolean;
    }
  | { readonly type: 'left' }
  | { readonly type: 'published'; readonly id: string; readonly offset: number }
  | { readonly type: 'history'; readonly answer: HistoryAnswer }
  | { readonly type: 'failed'; readonly code: RoomRouteErrorCode; readonly message: string };

/** One room message for every node with members (one per publish). */
export interface RoomFan {
  readonly tenant: string;
  readonly room: string;
  /** The node that published it: it skips its own copy (it delivered locally already). */
  readonly owner: string;
  readonly senderNode: string;
  /** The sender's connection on `senderNode`; 0 when there is none (e.g. an HTTP publish). */
  readonly senderConn: number;
  readonly offset: number;
  readonly epoch: string;
  readonly ts: number;
  readonly ingressTs: number;
  readonly echo: boolean;
  readonly body: Uint8Array;
}

/** One room message for one connection of one node (a replay after a join with `since`). */
export interface RoomDirect {
  readonly tenant: string;
  readonly room: string;
  readonly conn: number;
  readonly offset: number;
  readonly epoch: string;
  readonly ts: number;
  readonly ingressTs: number;
  readonly body: Uint8Array;
}

const H_SINCE_EPOCH = 'arq-since-epoch';
const H_SINCE_OFFSET = 'arq-since-offset';
const H_SINCE_TS = 'arq-since-ts';
const H_RESTORE = 'arq-restore';
const H_RECOVERED = 'arq-recovered';
const H_ERROR = 'arq-error';
const H_MESSAGE = 'arq-message';
const H_OWNER = 'arq-owner';
const H_TO = 'arq-to';
const H_INCARNATION = 'arq-inc';
const H_OP = 'arq-op';
const H_BEFORE = 'arq-before';
const H_LIMIT = 'arq-limit';
const H_MORE = 'arq-more';
const OP_HISTORY = 'history';

const MAX_CONN_ID = 0xffff_ffff;

export function encodeRoomRequest(request: RoomRequest): Uint8Array {
  const base = {
    tenant: request.tenant,
    room: request.room,
    originNode: request.node,
    fromConn: String(request.conn),
  };
  const headers: Record<string, string> = { [H_INCARNATION]: request.incarnation };
  switch (request.type) {
    case 'join': {
      sinceHeaders(request.since, headers);
      if (request.restore) headers[H_RESTORE] = '1';
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, { ...base, kind: WireKind.JOIN, headers }),
      );
    }
    case 'leave':
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, { ...base, kind: WireKind.LEAVE, headers }),
      );
    case 'publish':
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, {
          ...base,
          kind: WireKind.PUBLISH,
          headers,
          payload: request.payload,
          echo: request.echo,
          ingressTsMs: toInt64(request.ingressTs),
        }),
      );
    case 'history': {
      const { query } = request;
      headers[H_OP] = OP_HISTORY;
      sinceHeaders(query.since, headers);
      if (query.before !== null) headers[H_BEFORE] = String(query.before);
      headers[H_LIMIT] = String(query.limit);
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, { ...base, kind: WireKind.CONTROL, headers }),
      );
    }
  }
}

function sinceHeaders(since: HistoryQuery['since'], headers: Record<string, string>): void {
  if (since === null) return;
  if ('ts' in since) {
    headers[H_SINCE_TS] = String(since.ts);
    return;
  }
  if ('epoch' in since) headers[H_SINCE_EPOCH] = since.epoch;
  headers[H_SINCE_OFFSET] = String(since.offset);
}

/** A join's resume point (an offset without epoch resumes nothing: epoch ''). */
function sinceOf(headers: Record<string, string>): ResumeFrom | null {
  const since = historySinceOf(headers);
  return since !== null && !('ts' in since) && !('epoch' in since)
    ? { epoch: '', offset: since.offset }
    : since;
}

/** A history read's start: an offset may come without an epoch (the room's current one). */
function historySinceOf(headers: Record<string, string>): HistoryQuery['since'] {
  const epoch = headers[H_SINCE_EPOCH];
  const offset = headers[H_SINCE_OFFSET];
  const ts = headers[H_SINCE_TS];
  if (ts !== undefined) return { ts: decimal(ts, H_SINCE_TS) };
  if (offset !== undefined) {
    const at = decimal(offset, H_SINCE_OFFSET);
    return epoch === undefined ? { offset: at } : { epoch, offset: at };
  }
  if (epoch !== undefined) return { epoch, offset: decimal(offset, H_SINCE_OFFSET) };
  return null;
}

export function decodeRoomRequest(data: Uint8Array): RoomRequest {
  const env = decode(data, 'room request');
  const tenant = tenantOf(env.tenant);
  const room = text(env.room, 'room');
  const node = text(env.originNode, 'origin_node');
  const incarnation = text(env.headers[H_INCARNATION], H_INCARNATION);
  const conn = connId(env.fromConn, 'from_conn');
  switch (env.kind) {
    case WireKind.JOIN: {
      const since = sinceOf(env.headers);
      const restore = env.headers[H_RESTORE] === '1';
      return { type: 'join', tenant, room, node, incarnation, conn, since, restore };
    }
    case WireKind.LEAVE:
      return { type: 'leave', tenant, room, node, incarnation, conn };
    case WireKind.PUBLISH:
      return {
        type: 'publish',
        tenant,
        room,
        node,
        incarnation,
        conn,
        payload: env.payload,
        echo: env.echo,
        ingressTs: Number(env.ingressTsMs),
      };
    case WireKind.CONTROL: {
      if (env.headers[H_OP] !== OP_HISTORY)
        throw malformed(`control request of op ${quote(env.headers[H_OP])}`);
      const before = env.headers[H_BEFORE];
      const limit = decimal(env.headers[H_LIMIT], H_LIMIT);
      if (limit < 1) throw malformed(`${H_LIMIT} must be at least 1`);
      const query: HistoryQuery = {
        since: historySinceOf(env.headers),
        before: before === undefined ? null : decimal(before, H_BEFORE),
        limit,
      };
      return { type: 'history', tenant, room, node, incarnation, conn, query };
    }
    default:
      throw malformed(`room request of kind ${quote(env.kind)}`);
  }
}

export function encodeRoomReply(reply: RoomReply): Uint8Array {
  switch (reply.type) {
    case 'joined':
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, {
          kind: WireKind.JOIN,
          epoch: reply.epoch,
          offset: BigInt(reply.offset),
          headers: reply.recovered ? {} : { [H_RECOVERED]: 'false' },
        }),
      );
    case 'left':
      return toBinary(EnvelopeSchema, create(EnvelopeSchema, { kind: WireKind.LEAVE }));
    case 'published':
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, {
          kind: WireKind.PUBLISH,
          id: reply.id,
          offset: BigInt(reply.offset),
        }),
      );
    case 'history': {
      const { answer } = reply;
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, {
          kind: WireKind.CONTROL,
          epoch: answer.epoch,
          offset: BigInt(answer.offset),
          headers: {
            [H_OP]: OP_HISTORY,
            [H_MORE]: answer.more ? '1' : '0',
            ...(answer.recovered ? {} : { [H_RECOVERED]: 'false' }),
          },
          payload: encodeHistoryEntries(answer.entries),
        }),
      );
    }
    case 'failed':
      return toBinary(
        EnvelopeSchema,
        create(EnvelopeSchema, {
          kind: WireKind.CONTROL,
          headers: { [H_ERROR]: reply.code, [H_MESSAGE]: reply.message },
        }),
      );
  }
}

export function decodeRoomReply(data: Uint8Array): RoomReply {
  const env = decode(data, 'room reply');
  switch (env.kind) {
    case WireKind.JOIN:
      return {
        type: 'joined',
        epoch: text(env.epoch, 'epoch'),
        offset: offsetOf(env.offset),
        recovered: env.headers[H_RECOVERED] !== 'false',
      };
    case WireKind.LEAVE:
      return { type: 'left' };
    case WireKind.PUBLISH:
      return { type: 'published', id: text(env.id, 'id'), offset: offsetOf(env.offset) };
    case WireKind.CONTROL:
      if (env.headers[H_OP] === OP_HISTORY)
        return {
          type: 'history',
          answer: {
            epoch: text(env.epoch, 'epoch'),
            offset: offsetOf(env.offset),
            entries: decodeHistoryEntries(env.payload),
            more: env.headers[H_MORE] === '1',
            recovered: env.headers[H_RECOVERED] !== 'false',
          },
        };
      return {
        type: 'failed',
        code: routeCodeOf(env.headers[H_ERROR]),
        message: env.headers[H_MESSAGE] ?? '',
      };
    default:
      throw malformed(`room reply of kind ${quote(env.kind)}`);
  }
}

export function encodeRoomFan(fan: RoomFan): Uint8Array {
  return toBinary(
    EnvelopeSchema,
    create(EnvelopeSchema, {
      kind: WireKind.DELIVERY,
      tenant: fan.tenant,
      room: fan.room,
      headers: { [H_OWNER]: fan.owner },
      originNode: fan.senderNode,
      fromConn: String(fan.senderConn),
      offset: BigInt(fan.offset),
      epoch: fan.epoch,
      roomTsMs: toInt64(fan.ts),
      ingressTsMs: toInt64(fan.ingressTs),
      echo: fan.echo,
      payload: fan.body,
    }),
  );
}

export function decodeRoomFan(data: Uint8Array): RoomFan {
  const env = decode(data, 'room fan-out');
  if (env.kind !== WireKind.DELIVERY) throw malformed(`fan-out of kind ${quote(env.kind)}`);
  return {
    tenant: tenantOf(env.tenant),
    room: text(env.room, 'room'),
    owner: text(env.headers[H_OWNER], H_OWNER),
    senderNode: text(env.originNode, 'origin_node'),
    senderConn: connId(env.fromConn, 'from_conn'),
    offset: offsetOf(env.offset),
    epoch: text(env.epoch, 'epoch'),
    ts: Number(env.roomTsMs),
    ingressTs: Number(env.ingressTsMs),
    echo: env.echo,
    body: env.payload,
  };
}

export function encodeRoomDirect(direct: RoomDirect): Uint8Array {
  return toBinary(
    EnvelopeSchema,
    create(EnvelopeSchema, {
      kind: WireKind.DELIVERY,
      tenant: direct.tenant,
      room: direct.room,
      headers: { [H_TO]: String(direct.conn) },
      offset: BigInt(direct.offset),
      epoch: direct.epoch,
      roomTsMs: toInt64(direct.ts),
      ingressTsMs: toInt64(direct.ingressTs),
      echo: true,
      payload: direct.body,
    }),
  );
}

export function decodeRoomDirect(data: Uint8Array): RoomDirect {
  const env = decode(data, 'room direct message');
  if (env.kind !== WireKind.DELIVERY) throw malformed(`direct message of kind ${quote(env.kind)}`);
  return {
    tenant: tenantOf(env.tenant),
    room: text(env.room, 'room'),
    conn: connId(env.headers[H_TO], H_TO),
    offset: offsetOf(env.offset),
    epoch: text(env.epoch, 'epoch'),
    ts: Number(env.roomTsMs),
    ingressTs: Number(env.ingressTsMs),
    body: env.payload,
  };
}

function decode(data: Uint8Array, what: string): Envelope {
  try {
    return fromBinary(EnvelopeSchema, data);
  } catch (err) {
    throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', `${what} is not an Envelope`, {
      cause: err,
    });
  }
}

function malformed(message: string): ClusterError {
  return new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', message);
}

function text(value: string | undefined, field: string): string {
  if (value === undefined || value.length === 0) throw malformed(`${field} is missing`);
  return value;
}

/** A tenant is the part of a room key before its first `|`, so it can hold none. */
function tenantOf(value: string): string {
  const tenant = text(value, 'tenant');
  if (tenant.includes('|')) throw malformed(`tenant ${quote(tenant)} holds a |`);
  return tenant;
}

function decimal(value: string | undefined, field: string): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw malformed(`${field} must be a decimal integer, got ${quote(value)}`);
  }
  return Number(value);
}

function connId(value: string | undefined, field: string): number {
  const n = decimal(value, field);
  if (n > MAX_CONN_ID) throw malformed(`${field} must fit in 32 bits, got ${quote(value)}`);
  return n;
}

function offsetOf(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`offset ${value} is too large`);
  return Number(value);
}

/** Milliseconds as int64: fractions are dropped (the envelope's resolution is 1 ms). */
function toInt64(ms: number): bigint {
  return Number.isFinite(ms) ? BigInt(Math.trunc(ms)) : 0n;
}

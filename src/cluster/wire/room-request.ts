import { create, toBinary } from '@bufbuild/protobuf';
import type { HistoryQuery, ResumeFrom } from '../../../actors/index.js';
import { EnvelopeSchema, EnvelopeKind as WireKind } from '../../../proto/index.js';
import { quote } from '../base/index.js';
import {
  connId,
  decimal,
  decodeRoomEnvelope,
  H_BEFORE,
  H_INCARNATION,
  H_LIMIT,
  H_OP,
  H_RESTORE,
  H_SINCE_EPOCH,
  H_SINCE_OFFSET,
  H_SINCE_TS,
  malformed,
  OP_HISTORY,
  tenantOf,
  text,
  toInt64,
} from './room-envelope.js';

/** A room operation asked of the room's owner node (`request` in room-envelope.ts's table). */
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
  const env = decodeRoomEnvelope(data, 'room request');
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

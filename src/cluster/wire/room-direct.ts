import { create, toBinary } from '@bufbuild/protobuf';
import { EnvelopeSchema, EnvelopeKind as WireKind } from '../../../proto/index.js';
import { quote } from '../base/index.js';
import {
  connId,
  decodeRoomEnvelope,
  H_TO,
  malformed,
  offsetOf,
  tenantOf,
  text,
  toInt64,
} from './room-envelope.js';

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
  const env = decodeRoomEnvelope(data, 'room direct message');
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

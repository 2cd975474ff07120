import { create, toBinary } from '@bufbuild/protobuf';
import { EnvelopeSchema, EnvelopeKind as WireKind } from '../../../proto/index.js';
import { quote } from '../base/index.js';
import {
  connId,
  decodeRoomEnvelope,
  H_OWNER,
  malformed,
  offsetOf,
  tenantOf,
  text,
  toInt64,
} from './room-envelope.js';

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
  const env = decodeRoomEnvelope(data, 'room fan-out');
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

import { deserialize, serialize } from 'node:v8';
import type { HistoryAnswer, HistoryQuery, ResumeFrom, RoomState } from '../../actors/index.js';
import { ShardError } from './shard-error.js';

/**
 * What travels between the edge and a shard on the rings, over the transport's fixed header:
 *
 *  edge -> shard                                      shard -> edge
 *  Join     key=room  corr  flags=RESTORE  payload=JoinBody (JSON)      Reply    corr  flags=ERROR  payload=JSON body
 *  Leave    key=room  corr (0 = no reply)                               Delivery key=room connId=sender flags=ECHO|DIRECT
 *  Publish  key=room  corr  flags=ECHO  value=ingress ts  payload=opaque          value=offset payload=DeliveryPrefix+publish payload
 *  Control  corr  payload=v8(ShardRequest)                              Control  payload=v8(ShardEvent)
 *
 * `history` (Control) is answered by the room with a Control `history` event: its entries carry
 * payload bytes, which v8 serialization copies as they are (a JSON reply could not).
 *
 * `export` and `import` move a room between nodes: `export` goes to the room's mailbox behind
 * everything told to it before (so its answer follows the room's earlier replies and deliveries on
 * the ring), `import` replaces the room with one that continues the given state; what is sent for
 * the room after it reaches the new room.
 *
 * Publish payloads are opaque to the shard: the edge builds them and reads them back on delivery,
 * so a message's bytes cross each ring once and are never parsed in the shard.
 */
export const FLAG_ECHO = 1;
export const FLAG_RESTORE = 2;
export const FLAG_DIRECT = 4;
export const FLAG_ERROR = 1;

export interface JoinBody {
  readonly since: ResumeFrom | null;
}

/** Requests the edge sends a shard as Control envelopes. */
export type ShardRequest =
  | { readonly type: 'stats' }
  | { readonly type: 'crash'; readonly reason: string }
  | { readonly type: 'export'; readonly roomKey: string }
  | { readonly type: 'import'; readonly roomKey: string; readonly state: RoomState }
  /** Answered by the room: a `history` event, or a Reply error (e.g. overloaded). */
  | { readonly type: 'history'; readonly roomKey: string; readonly query: HistoryQuery };

/** What a shard tells the edge unasked, or answers a Control request with. */
export type ShardEvent =
  | { readonly type: 'stats'; readonly rooms: number; readonly actors: number }
  | { readonly type: 'room-down'; readonly roomKey: string; readonly reason: string }
  /** The answer to `export`: null when the shard has no such room. */
  | { readonly type: 'exported'; readonly state: RoomState | null }
  | { readonly type: 'imported' }
  | { readonly type: 'history'; readonly answer: HistoryAnswer };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes));
}

export function encodeKey(key: string): Uint8Array {
  return encoder.encode(key);
}

export function decodeKey(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function encodeControl(message: ShardRequest | ShardEvent): Uint8Array {
  return serialize(message);
}

export function decodeControl<T extends ShardRequest | ShardEvent>(bytes: Uint8Array): T {
  try {
    return deserialize(bytes) as T;
  } catch (err) {
    throw new ShardError('ARQ_ERR_SHARD_PROTOCOL', 'undecodable control envelope', { cause: err });
  }
}

/**
 * A delivery's payload: the room's ordering facts, then the publish payload as the edge wrote it.
 * Written by DeliveryEncoder, read by decodeDelivery.
 *
 *   0        8             16         17            17+n
 *   | ts f64 | ingress f64 | n (u8)   | epoch (n B) | publish payload ... |
 */
export const DELIVERY_TS_OFFSET = 0;
export const DELIVERY_INGRESS_OFFSET = 8;
export const DELIVERY_EPOCH_LENGTH_OFFSET = 16;
export const DELIVERY_EPOCH_OFFSET = 17;

export interface DeliveryPrefix {
  readonly ts: number;
  readonly ingressTs: number;
  readonly epoch: string;
  /** The publish payload (a view into the given bytes). */
  readonly body: Uint8Array;
}

export function decodeDelivery(bytes: Uint8Array): DeliveryPrefix {
  if (bytes.length < DELIVERY_EPOCH_OFFSET) {
    throw new ShardError('ARQ_ERR_SHARD_PROTOCOL', 'delivery payload shorter than its prefix');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const epochLength = bytes[DELIVERY_EPOCH_LENGTH_OFFSET] as number;
  const bodyStart = DELIVERY_EPOCH_OFFSET + epochLength;
  if (bytes.length < bodyStart)
    throw new ShardError('ARQ_ERR_SHARD_PROTOCOL', 'delivery epoch truncated');
  return {
    ts: view.getFloat64(DELIVERY_TS_OFFSET, true),
    ingressTs: view.getFloat64(DELIVERY_INGRESS_OFFSET, true),
    epoch: decoder.decode(bytes.subarray(DELIVERY_EPOCH_OFFSET, bodyStart)),
    body: bytes.subarray(bodyStart),
  };
}

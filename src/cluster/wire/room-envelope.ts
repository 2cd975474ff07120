import { fromBinary } from '@bufbuild/protobuf';
import { type Envelope, EnvelopeSchema } from '../../../proto/index.js';
import { ClusterError, quote } from '../base/index.js';

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

// Every `arq-` header key in one place: the four messages share the one headers map, so keys
// must not clash.
export const H_SINCE_EPOCH = 'arq-since-epoch';
export const H_SINCE_OFFSET = 'arq-since-offset';
export const H_SINCE_TS = 'arq-since-ts';
export const H_RESTORE = 'arq-restore';
export const H_RECOVERED = 'arq-recovered';
export const H_ERROR = 'arq-error';
export const H_MESSAGE = 'arq-message';
export const H_OWNER = 'arq-owner';
export const H_TO = 'arq-to';
export const H_INCARNATION = 'arq-inc';
export const H_OP = 'arq-op';
export const H_BEFORE = 'arq-before';
export const H_LIMIT = 'arq-limit';
export const H_MORE = 'arq-more';
export const OP_HISTORY = 'history';

const MAX_CONN_ID = 0xffff_ffff;

/** An Envelope from the network, or ARQ_ERR_CLUSTER_MALFORMED naming `what` it should be. */
export function decodeRoomEnvelope(data: Uint8Array, what: string): Envelope {
  try {
    return fromBinary(EnvelopeSchema, data);
  } catch (err) {
    throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', `${what} is not an Envelope`, {
      cause: err,
    });
  }
}

export function malformed(message: string): ClusterError {
  return new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', message);
}

export function text(value: string | undefined, field: string): string {
  if (value === undefined || value.length === 0) throw malformed(`${field} is missing`);
  return value;
}

/** A tenant is the part of a room key before its first `|`, so it can hold none. */
export function tenantOf(value: string): string {
  const tenant = text(value, 'tenant');
  if (tenant.includes('|')) throw malformed(`tenant ${quote(tenant)} holds a |`);
  return tenant;
}

export function decimal(value: string | undefined, field: string): number {
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    throw malformed(`${field} must be a decimal integer, got ${quote(value)}`);
  }
  return Number(value);
}

export function connId(value: string | undefined, field: string): number {
  const n = decimal(value, field);
  if (n > MAX_CONN_ID) throw malformed(`${field} must fit in 32 bits, got ${quote(value)}`);
  return n;
}

export function offsetOf(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`offset ${value} is too large`);
  return Number(value);
}

/** Milliseconds as int64: fractions are dropped (the envelope's resolution is 1 ms). */
export function toInt64(ms: number): bigint {
  return Number.isFinite(ms) ? BigInt(Math.trunc(ms)) : 0n;
}

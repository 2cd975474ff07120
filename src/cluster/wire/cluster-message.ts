import { ClusterError, quote } from '../base/index.js';

/** The version of the membership wire messages; a receiver drops versions it does not know. */
export const CLUSTER_MESSAGE_VERSION = 1;

/** A JSON object as decoded from the wire: what callers attach to heartbeats. */
export type HeartbeatPayload = { readonly [name: string]: unknown };

/**
 * What travels on `arq.cluster.hb`, as JSON:
 *
 *   {"v":1,"type":"heartbeat","node":"n1","incarnation":"00lx...-ab12","seq":7,"ts":1718000000000,
 *    "payload":{"presence":{"clock":12}}}
 *   {"v":1,"type":"leaving","node":"n1","incarnation":"00lx...-ab12","ts":1718000000000}
 *
 * `seq` counts the sender's heartbeats; `ts` is its wall clock, for logs only (peers judge silence
 * by their own clocks). `payload` holds named parts that other cluster modules attach (presence
 * gossip puts its broadcast clock under `presence`).
 */
export type ClusterMessage =
  | {
      readonly type: 'heartbeat';
      readonly node: string;
      readonly incarnation: string;
      readonly seq: number;
      readonly ts: number;
      readonly payload: HeartbeatPayload;
    }
  | {
      readonly type: 'leaving';
      readonly node: string;
      readonly incarnation: string;
      readonly ts: number;
    };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeClusterMessage(message: ClusterMessage): Uint8Array {
  return encoder.encode(JSON.stringify({ v: CLUSTER_MESSAGE_VERSION, ...message }));
}

/** Parses a message from the network; anything malformed throws `ARQ_ERR_CLUSTER_MALFORMED`. */
export function parseClusterMessage(data: Uint8Array): ClusterMessage {
  let input: unknown;
  try {
    input = JSON.parse(decoder.decode(data));
  } catch (err) {
    throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', 'cluster message is not JSON', {
      cause: err,
    });
  }
  const obj = record(input, 'message');
  if (obj.v !== CLUSTER_MESSAGE_VERSION)
    fail(`v must be ${CLUSTER_MESSAGE_VERSION}, got ${quote(obj.v)}`);
  const node = nonEmptyString(obj.node, 'node');
  const incarnation = nonEmptyString(obj.incarnation, 'incarnation');
  const ts = finite(obj.ts, 'ts');
  switch (obj.type) {
    case 'heartbeat': {
      const seq = obj.seq;
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
        fail(`seq must be a non-negative safe integer, got ${quote(seq)}`);
      }
      const payload = obj.payload === undefined ? {} : record(obj.payload, 'payload');
      return { type: 'heartbeat', node, incarnation, seq, ts, payload };
    }
    case 'leaving':
      return { type: 'leaving', node, incarnation, ts };
    default:
      return fail(`type must be "heartbeat" or "leaving", got ${quote(obj.type)}`);
  }
}

function fail(message: string): never {
  throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', `cluster message: ${message}`);
}

function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${at} must be an object, got ${quote(value)}`);
  }
  return value as Record<string, unknown>;
}

function nonEmptyString(value: unknown, at: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(`${at} must be a non-empty string, got ${quote(value)}`);
  }
  return value;
}

function finite(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(`${at} must be a finite number, got ${quote(value)}`);
  }
  return value;
}

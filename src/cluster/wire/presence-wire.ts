import { type PresenceDelta, parsePresenceDelta } from '../../../actors/index.js';
import { ClusterError, quote } from '../base/index.js';
import type { MemberId } from './member-id.js';

/**
 * Presence gossip on the wire, as JSON: a delta (on `arq.presence.delta`) and a full state (the
 * reply on `arq.presence.state.<node>`) are both a `PresenceDelta`; a pull asks with
 * `{"type":"state_request","node":...,"incarnation":...}` naming the asker (for logs and
 * permissions; the answer is the same for everyone).
 */
export interface StateRequest {
  readonly type: 'state_request';
  readonly from: MemberId;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodePresenceDelta(delta: PresenceDelta): Uint8Array {
  return encoder.encode(JSON.stringify(delta));
}

/** Decodes and checks a delta or state from the network; throws a PresenceError or ClusterError. */
export function decodePresenceDelta(data: Uint8Array): PresenceDelta {
  return parsePresenceDelta(json(data, 'presence delta'));
}

export function encodeStateRequest(from: MemberId): Uint8Array {
  return encoder.encode(
    JSON.stringify({ type: 'state_request', node: from.node, incarnation: from.incarnation }),
  );
}

export function decodeStateRequest(data: Uint8Array): StateRequest {
  const input = json(data, 'state request');
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw malformed(`state request must be an object, got ${quote(input)}`);
  }
  const { type, node, incarnation } = input as Record<string, unknown>;
  if (type !== 'state_request') {
    throw malformed(`state request type must be "state_request", got ${quote(type)}`);
  }
  if (typeof node !== 'string' || node.length === 0) {
    throw malformed(`state request node must be a non-empty string, got ${quote(node)}`);
  }
  if (typeof incarnation !== 'string' || incarnation.length === 0) {
    throw malformed(
      `state request incarnation must be a non-empty string, got ${quote(incarnation)}`,
    );
  }
  return { type, from: { node, incarnation } };
}

/** The `presence` part of a heartbeat payload: the sender's broadcast clock, or null if absent. */
export function presenceClockOf(part: unknown): number | null {
  if (part === undefined) return null;
  const clock = (part as { clock?: unknown } | null)?.clock;
  if (
    typeof part !== 'object' ||
    typeof clock !== 'number' ||
    !Number.isSafeInteger(clock) ||
    clock < 0
  ) {
    throw malformed(
      `heartbeat presence part must be { clock: non-negative integer }, got ${quote(part)}`,
    );
  }
  return clock;
}

function json(data: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(data));
  } catch (err) {
    throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', `${what} is not JSON`, { cause: err });
  }
}

function malformed(message: string): ClusterError {
  return new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', message);
}

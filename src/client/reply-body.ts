import type { ResumePoint, TimePoint } from './client-frame.js';
import { ArqonClientError } from './errors.js';
import type { ReplyBody } from './pending-requests.js';

export interface JoinResult {
  /** The room's stream epoch: a new one means the room restarted and offsets began again. */
  readonly epoch: string;
  /** The room's current offset (its newest message). */
  readonly offset: number;
  /**
   * Present when the join asked to resume (`since`): true when the missed messages follow, false
   * when the server no longer has them all (or the epoch changed) and none are replayed.
   */
  readonly recovered?: boolean;
}

export interface PublishResult {
  readonly id: string;
  readonly offset: number;
}

export interface PingResult {
  /** Server time, ms since the Unix epoch. */
  readonly ts: number;
}

function bad(op: string, field: string, kind: string): ArqonClientError {
  return new ArqonClientError('ARQ_CLIENT_BAD_FRAME', `${op} reply: "${field}" must be ${kind}`);
}

function offsetOf(op: string, body: ReplyBody): number {
  const offset = body.offset;
  if (!Number.isSafeInteger(offset) || (offset as number) < 0)
    throw bad(op, 'offset', 'a non-negative integer');
  return offset as number;
}

export function readJoinReply(
  body: ReplyBody,
  since: ResumePoint | TimePoint | undefined,
): JoinResult {
  if (typeof body.epoch !== 'string') throw bad('join', 'epoch', 'a string');
  const result = { epoch: body.epoch, offset: offsetOf('join', body) };
  return since === undefined ? result : { ...result, recovered: body.recovered !== false };
}

export function readPublishReply(body: ReplyBody): PublishResult {
  if (typeof body.id !== 'string') throw bad('publish', 'id', 'a string');
  return { id: body.id, offset: offsetOf('publish', body) };
}

export function readPingReply(body: ReplyBody): PingResult {
  if (typeof body.ts !== 'number') throw bad('ping', 'ts', 'a number');
  return { ts: body.ts };
}

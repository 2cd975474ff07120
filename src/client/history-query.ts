import { checkResumePoint, checkRoom, type ResumePoint } from './client-frame.js';
import { ArqonClientError } from './errors.js';
import { roomMessageOf } from './parse-server-frame.js';
import type { ReplyBody } from './pending-requests.js';
import type { RoomMessage } from './server-frame.js';

/** The server's bound on one page (docs/protocol.md, `history`). */
export const MAX_HISTORY_LIMIT = 1000;

/**
 * Which kept messages `history` reads: after `since` (a point of the room's stream, or
 * `{ts}`: stored at or after that time), or the newest before offset `before`, or the newest
 * (neither). `limit`: 1..1000, the server's default 100.
 */
export interface HistoryOptions {
  readonly since?: ResumePoint | { readonly ts: number };
  readonly before?: number;
  readonly limit?: number;
}

export interface HistoryResult {
  readonly epoch: string;
  /** The room's newest offset. */
  readonly offset: number;
  /** Oldest first, as `message` events carry them. */
  readonly messages: readonly RoomMessage[];
  /** More kept messages lie beyond the page: newer for `since`, older otherwise. */
  readonly more: boolean;
  /** false: the page could not be told whole (another epoch, or messages gone); it is empty. */
  readonly recovered: boolean;
}

export interface HistoryFrame {
  readonly op: 'history';
  readonly room: string;
  readonly since?: ResumePoint | { readonly ts: number };
  readonly before?: { readonly offset: number };
  readonly limit?: number;
}

function invalid(message: string): ArqonClientError {
  return new ArqonClientError('ARQ_CLIENT_INVALID_ARGUMENT', message);
}

function nonNegative(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw invalid(`${name} must be a non-negative integer`);
  return value as number;
}

export function historyFrame(room: string, options: HistoryOptions): HistoryFrame {
  checkRoom(room);
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw invalid('history options must be an object');
  const { since, before, limit } = options;
  if (since !== undefined && before !== undefined)
    throw invalid('options.since and options.before cannot be given together');
  if (
    limit !== undefined &&
    (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT)
  )
    throw invalid(`options.limit must be an integer from 1 to ${MAX_HISTORY_LIMIT}`);
  let point: HistoryFrame['since'];
  if (since !== undefined)
    point =
      typeof since === 'object' && since !== null && 'ts' in since
        ? { ts: nonNegative(since.ts, 'options.since.ts') }
        : checkResumePoint(since, 'options.since');
  return {
    op: 'history',
    room,
    ...(point === undefined ? {} : { since: point }),
    ...(before === undefined ? {} : { before: { offset: nonNegative(before, 'options.before') } }),
    ...(limit === undefined ? {} : { limit }),
  };
}

function bad(field: string, kind: string): ArqonClientError {
  return new ArqonClientError('ARQ_CLIENT_BAD_FRAME', `history reply: "${field}" must be ${kind}`);
}

export function readHistoryReply(body: ReplyBody): HistoryResult {
  if (typeof body.epoch !== 'string') throw bad('epoch', 'a string');
  if (!Number.isSafeInteger(body.offset) || (body.offset as number) < 0)
    throw bad('offset', 'a non-negative integer');
  if (!Array.isArray(body.messages)) throw bad('messages', 'an array');
  if (typeof body.more !== 'boolean') throw bad('more', 'a boolean');
  return {
    epoch: body.epoch,
    offset: body.offset as number,
    messages: body.messages.map(roomMessageOf),
    more: body.more,
    recovered: body.recovered !== false,
  };
}

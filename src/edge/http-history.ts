import {
  type HistoryQuery,
  messageDeliveryOf,
  type RoomGateway,
  roomKeyOf,
} from '../../actors/index.js';
import {
  DEFAULT_HISTORY_LIMIT,
  historyBodyText,
  isValidRoomName,
  MAX_HISTORY_LIMIT,
  WireError,
} from '../../proto/wire/index.js';
import { type Principal, principalMayAccess } from '../auth/index.js';
import type { HttpRequest } from '../uws/index.js';
import type { Reply } from './http-response.js';

/** The query of `GET /v1/rooms/:room/history`, read while uWS's request object is valid. */
export interface HistoryParams {
  readonly sinceOffset: string | undefined;
  readonly sinceTs: string | undefined;
  readonly beforeOffset: string | undefined;
  readonly epoch: string | undefined;
  readonly limit: string | undefined;
}

export function historyParams(req: HttpRequest): HistoryParams {
  const get = (key: string): string | undefined => req.getQuery(key) ?? undefined;
  return {
    sinceOffset: get('since_offset'),
    sinceTs: get('since_ts'),
    beforeOffset: get('before_offset'),
    epoch: get('epoch'),
    limit: get('limit'),
  };
}

/**
 * The op's query from the HTTP one: at most one of since_offset, since_ts, before_offset;
 * `epoch` only beside since_offset (without it, since_offset counts in the room's current epoch:
 * an HTTP reader has no epoch of its own); limit 1..MAX_HISTORY_LIMIT. Anything else is bad_frame.
 */
export function historyQueryOf(params: HistoryParams): HistoryQuery {
  const given = [params.sinceOffset, params.sinceTs, params.beforeOffset].filter(
    (v) => v !== undefined,
  );
  if (given.length > 1)
    throw new WireError('bad_frame', 'give at most one of since_offset, since_ts, before_offset');
  if (params.epoch !== undefined && (params.sinceOffset === undefined || params.epoch === ''))
    throw new WireError('bad_frame', 'epoch: only beside since_offset, and not empty');
  const limit = params.limit === undefined ? DEFAULT_HISTORY_LIMIT : decimal('limit', params.limit);
  if (limit < 1 || limit > MAX_HISTORY_LIMIT)
    throw new WireError('bad_frame', `limit: must be an integer from 1 to ${MAX_HISTORY_LIMIT}`);
  let since: HistoryQuery['since'] = null;
  if (params.sinceTs !== undefined) since = { ts: decimal('since_ts', params.sinceTs) };
  else if (params.sinceOffset !== undefined) {
    const offset = decimal('since_offset', params.sinceOffset);
    since = params.epoch === undefined ? { offset } : { epoch: params.epoch, offset };
  }
  const before =
    params.beforeOffset === undefined ? null : decimal('before_offset', params.beforeOffset);
  return { since, before, limit };
}

/**
 * Answers the route: the token's `rooms` must allow the room (the HTTP API runs no on_join: its
 * callers hold the `server` capability), then the room's owner reads its window.
 */
export function httpHistory(
  rooms: RoomGateway,
  principal: Principal,
  room: string | null,
  params: HistoryParams,
  reply: Reply,
  fail: (reply: Reply, error: unknown) => void,
): void {
  if (room === null || !isValidRoomName(room))
    throw new WireError('bad_frame', 'room: not a valid room name');
  const query = historyQueryOf(params);
  if (!principalMayAccess(principal, room))
    throw new WireError('forbidden', 'the token does not allow this room');
  rooms.history(roomKeyOf(principal.tenant, room), query, (error, answer) => {
    if (error !== null || answer === null) return fail(reply, error);
    const messages = answer.entries.map((e) =>
      messageDeliveryOf(room, answer.epoch, e.offset, e.ts, e.payload),
    );
    reply.send('200 OK', 'application/json', historyBodyText(answer, messages));
  });
}

/** A non-negative decimal integer up to 2^53-1 (no sign, no exponent, no spaces). */
function decimal(name: string, value: string): number {
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new WireError('bad_frame', `${name}: must be a non-negative integer`);
  return n;
}

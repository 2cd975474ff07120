import type { HistoryPage, RoomHistory } from './room-history.js';
import type { HistoryQuery } from './room-message.js';
import type { RoomOutput } from './room-output.js';

/**
 * Answers a `history` query from the room's window (a cold path, outside RoomActor so that the
 * actor keeps to ordering and delivery). Served from the window: a durable room's window is
 * configured with its stream's count and byte limits and read back from the stream at start, so it
 * holds what the stream keeps (minus what is older than the stream's max age, `minTs`). A write in
 * flight is not in it yet: it is not answered `ok` yet either.
 */
export function answerHistory(
  out: RoomOutput,
  history: RoomHistory,
  corr: number,
  query: HistoryQuery,
  epoch: string,
  offset: number,
  maxBytes: number,
  minTs: number,
): void {
  const limits = { limit: query.limit, maxBytes, minTs };
  let page: HistoryPage | null;
  const since = query.since;
  if (since !== null) {
    if ('ts' in since) page = history.pageFromTime(since.ts, offset, limits);
    else if ('epoch' in since && since.epoch !== epoch) page = null;
    else page = history.pageAfter(since.offset, offset, limits);
  } else if (query.before !== null) {
    page = history.pageBefore(query.before, offset, limits);
  } else {
    page = history.latest(limits);
  }
  out.history(corr, {
    epoch,
    offset,
    entries: page?.entries ?? [],
    more: page?.more ?? false,
    recovered: page !== null,
  });
}

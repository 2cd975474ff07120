import type { HistoryEntry } from '../../../actors/index.js';
import { ClusterError } from '../base/index.js';

/**
 * The entries of a `history` page in an owner's reply payload (the envelope has no repeated
 * field), back to back, oldest first:
 *
 *   | offset f64 LE | ts f64 LE | n = u32 LE | payload (n B) | next entry ...
 */
const ENTRY_HEADER_BYTES = 20;

export function encodeHistoryEntries(entries: readonly HistoryEntry[]): Uint8Array {
  let size = 0;
  for (const entry of entries) size += ENTRY_HEADER_BYTES + entry.payload.byteLength;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const entry of entries) {
    view.setFloat64(at, entry.offset, true);
    view.setFloat64(at + 8, entry.ts, true);
    view.setUint32(at + 16, entry.payload.byteLength, true);
    out.set(entry.payload, at + ENTRY_HEADER_BYTES);
    at += ENTRY_HEADER_BYTES + entry.payload.byteLength;
  }
  return out;
}

/** Entries oldest first with increasing offsets; each payload a copy (the message is not kept). */
export function decodeHistoryEntries(data: Uint8Array): HistoryEntry[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const entries: HistoryEntry[] = [];
  let at = 0;
  let last = 0;
  while (at < data.byteLength) {
    if (at + ENTRY_HEADER_BYTES > data.byteLength) throw malformed('history entry truncated');
    const offset = view.getFloat64(at, true);
    const ts = view.getFloat64(at + 8, true);
    const length = view.getUint32(at + 16, true);
    if (!Number.isSafeInteger(offset) || offset <= last)
      throw malformed(`history entry offset ${offset} after ${last}`);
    if (!Number.isFinite(ts)) throw malformed('history entry ts must be a number');
    const start = at + ENTRY_HEADER_BYTES;
    if (start + length > data.byteLength) throw malformed('history entry payload truncated');
    entries.push({ offset, ts, senderConn: 0, payload: data.slice(start, start + length) });
    last = offset;
    at = start + length;
  }
  return entries;
}

function malformed(message: string): ClusterError {
  return new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', message);
}

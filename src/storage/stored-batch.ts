import type { HistoryEntry, StoredEntry } from '../../actors/index.js';
import { StorageError } from './storage-error.js';

/**
 * Several room messages written as one JetStream message (a group commit: what queued while the
 * previous write was in flight). The headers say where it ends (`Arq-Offset` is the batch's last
 * offset, `Arq-Count` how many it holds), so the room's position is still read from the last stored
 * message alone; the body holds the entries in offset order:
 *
 *   count x [ ts: float64 LE | length: uint32 LE | payload: length bytes ]
 *            0                8                   12
 */
const TS_AT = 0;
const LENGTH_AT = 8;
const ENTRY_HEADER_BYTES = 12;

export function encodeStoredBatch(entries: readonly StoredEntry[]): Uint8Array {
  let size = 0;
  for (const e of entries) size += ENTRY_HEADER_BYTES + e.payload.byteLength;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const e of entries) {
    view.setFloat64(at + TS_AT, e.ts, true);
    view.setUint32(at + LENGTH_AT, e.payload.byteLength, true);
    out.set(e.payload, at + ENTRY_HEADER_BYTES);
    at += ENTRY_HEADER_BYTES + e.payload.byteLength;
  }
  return out;
}

/** Bytes one entry adds to a batch's body. */
export function storedBatchEntryBytes(payload: Uint8Array): number {
  return ENTRY_HEADER_BYTES + payload.byteLength;
}

/**
 * The `count` entries of a batch whose last offset is `lastOffset`, oldest first. Each payload is
 * a view into `body`, which the caller must not reuse.
 */
export function decodeStoredBatch(
  body: Uint8Array,
  lastOffset: number,
  count: number,
  where: string,
): HistoryEntry[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out: HistoryEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + ENTRY_HEADER_BYTES > body.byteLength) break;
    const length = view.getUint32(at + LENGTH_AT, true);
    const start = at + ENTRY_HEADER_BYTES;
    if (start + length > body.byteLength) break;
    out.push({
      offset: lastOffset - count + 1 + i,
      ts: view.getFloat64(at + TS_AT, true),
      senderConn: 0,
      payload: body.subarray(start, start + length),
    });
    at = start + length;
  }
  if (out.length !== count || at !== body.byteLength)
    throw new StorageError(
      'ARQ_ERR_STORAGE_CORRUPT',
      `${where}: a batch of ${count} messages ending at offset ${lastOffset} does not parse`,
    );
  return out;
}

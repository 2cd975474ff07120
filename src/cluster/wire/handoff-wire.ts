import type { HistoryEntry, RoomState } from '../../../actors/index.js';
import { ClusterError, quote } from '../base/index.js';

/**
 * A room handed over from its old owner node to its new one (a graceful move), on
 * `arq.hand.t.<tenant>.n.<new owner>.r.<room>` as a request; the new owner answers with a
 * HandoffAck. The room's history payloads are opaque bytes, so the message is binary:
 *
 *   0         1                5               5+h
 *   | ver u8 | h = u32 LE      | header (JSON) | payload of entry 1 | payload of entry 2 | ...
 *
 *   header: {"tenant","room","from","epoch","offset","entries":[[offset, ts, bytes], ...]}
 *
 * Entries are oldest first with contiguous offsets ending at `offset`. Decoders check every field
 * and throw ARQ_ERR_CLUSTER_MALFORMED: nothing from the network reaches a shard unchecked.
 */
export interface RoomHandoff {
  readonly tenant: string;
  readonly room: string;
  /** The node handing the room over. */
  readonly from: string;
  readonly state: RoomState;
}

/** The new owner's answer: `accepted` (kept, to be used), `late` (it started the room afresh). */
export type HandoffAck = { readonly type: 'accepted' } | { readonly type: 'late' };

export const HANDOFF_WIRE_VERSION = 1;
const VERSION_OFFSET = 0;
const HEADER_LENGTH_OFFSET = 1;
const HEADER_OFFSET = 5;
/** The shard's limit on an epoch's length (its delivery prefix keeps it in one byte). */
const MAX_EPOCH_BYTES = 255;

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export function encodeRoomHandoff(handoff: RoomHandoff): Uint8Array {
  const { state } = handoff;
  const header = enc.encode(
    JSON.stringify({
      tenant: handoff.tenant,
      room: handoff.room,
      from: handoff.from,
      epoch: state.epoch,
      offset: state.offset,
      entries: state.history.map((e) => [e.offset, e.ts, e.payload.byteLength]),
    }),
  );
  let size = HEADER_OFFSET + header.byteLength;
  for (const entry of state.history) size += entry.payload.byteLength;
  const out = new Uint8Array(size);
  out[VERSION_OFFSET] = HANDOFF_WIRE_VERSION;
  new DataView(out.buffer).setUint32(HEADER_LENGTH_OFFSET, header.byteLength, true);
  out.set(header, HEADER_OFFSET);
  let at = HEADER_OFFSET + header.byteLength;
  for (const entry of state.history) {
    out.set(entry.payload, at);
    at += entry.payload.byteLength;
  }
  return out;
}

export function decodeRoomHandoff(data: Uint8Array): RoomHandoff {
  if (data.byteLength < HEADER_OFFSET) throw malformed('hand-off shorter than its prefix');
  if (data[VERSION_OFFSET] !== HANDOFF_WIRE_VERSION) {
    throw malformed(`hand-off version ${quote(data[VERSION_OFFSET])}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const headerLength = view.getUint32(HEADER_LENGTH_OFFSET, true);
  const bodyStart = HEADER_OFFSET + headerLength;
  if (bodyStart > data.byteLength) throw malformed('hand-off header truncated');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(dec.decode(data.subarray(HEADER_OFFSET, bodyStart)));
  } catch (err) {
    throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', 'hand-off header is not JSON', {
      cause: err,
    });
  }
  if (typeof header !== 'object' || header === null) throw malformed('hand-off header');
  const tenant = text(header.tenant, 'tenant');
  if (tenant.includes('|')) throw malformed(`tenant ${quote(tenant)} holds a |`);
  const room = text(header.room, 'room');
  const from = text(header.from, 'from');
  const epoch = text(header.epoch, 'epoch');
  if (enc.encode(epoch).byteLength > MAX_EPOCH_BYTES) throw malformed('epoch is too long');
  const offset = count(header.offset, 'offset');
  if (!Array.isArray(header.entries)) throw malformed('entries must be an array');
  const entries = header.entries as unknown[];
  if (entries.length > offset) throw malformed('more entries than offsets');
  const history: HistoryEntry[] = [];
  let at = bodyStart;
  let expected = offset - entries.length + 1;
  for (const raw of entries) {
    if (!Array.isArray(raw) || raw.length !== 3)
      throw malformed('an entry must be [offset, ts, bytes]');
    const entryOffset = count(raw[0], 'entry offset');
    if (entryOffset !== expected) {
      throw malformed(
        `entry offset ${entryOffset}, expected ${expected} (contiguous, ending at offset)`,
      );
    }
    const ts = raw[1];
    if (typeof ts !== 'number' || !Number.isFinite(ts))
      throw malformed('entry ts must be a number');
    const bytes = count(raw[2], 'entry bytes');
    if (at + bytes > data.byteLength) throw malformed('entry payload truncated');
    // A copy: the message's buffer is not kept alive by the room.
    history.push({ offset: entryOffset, ts, senderConn: 0, payload: data.slice(at, at + bytes) });
    at += bytes;
    expected += 1;
  }
  if (at !== data.byteLength) throw malformed('bytes after the last entry');
  return { tenant, room, from, state: { epoch, offset, history } };
}

/**
 * The state as it fits in `maxBytes` on the wire: the oldest history entries are left out until it
 * does (a resume from before them then answers `recovered: false`, as after any eviction).
 */
export function fitRoomHandoff(handoff: RoomHandoff, maxBytes: number): Uint8Array {
  let history = handoff.state.history;
  for (;;) {
    const bytes = encodeRoomHandoff({ ...handoff, state: { ...handoff.state, history } });
    if (bytes.byteLength <= maxBytes || history.length === 0) return bytes;
    // Drop about the share that is too much (at least one entry) and measure again.
    const cut = Math.max(
      1,
      Math.ceil((history.length * (bytes.byteLength - maxBytes)) / bytes.byteLength),
    );
    history = history.slice(cut);
  }
}

export function encodeHandoffAck(ack: HandoffAck): Uint8Array {
  return enc.encode(JSON.stringify(ack));
}

export function decodeHandoffAck(data: Uint8Array): HandoffAck {
  let value: unknown;
  try {
    value = JSON.parse(dec.decode(data));
  } catch (err) {
    throw new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', 'hand-off ack is not JSON', { cause: err });
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (type === 'accepted' || type === 'late') return { type };
  throw malformed(`hand-off ack of type ${quote(type)}`);
}

function malformed(message: string): ClusterError {
  return new ClusterError('ARQ_ERR_CLUSTER_MALFORMED', message);
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw malformed(`${field} is missing`);
  return value;
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw malformed(`${field} must be a non-negative integer, got ${quote(value)}`);
  }
  return value;
}

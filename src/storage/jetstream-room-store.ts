import { JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { HistoryEntry, RoomState, RoomStore, StoredEntry } from '../../actors/index.js';
import type { RoomStreams } from './room-streams.js';
import {
  COUNT_HEADER,
  EPOCH_HEADER,
  OFFSET_HEADER,
  ROOM_STREAM,
  TS_HEADER,
} from './room-subjects.js';
import { StorageError } from './storage-error.js';
import { decodeStoredBatch, encodeStoredBatch } from './stored-batch.js';

/** JetStream's API error for a failed `expected last subject sequence` check. */
const WRONG_LAST_SEQUENCE = 10071;
/**
 * Payload bytes of one batched write: a quarter of nats-server's default `max_payload` (1 MiB), so
 * a batch with its framing and headers always fits; a single larger message is written alone.
 */
export const STORE_BATCH_MAX_BYTES = 256 * 1024;

/**
 * One durable room's subject in the rooms stream. Writes carry the stream sequence of the room's
 * last stored message (`Nats-Expected-Last-Subject-Sequence`): a write that does not follow what is
 * stored (a second owner during a split, or an earlier write whose answer was lost) is refused by
 * JetStream itself, and the room reads the stream again. `Nats-Msg-Id` is the room's own position,
 * so a write repeated inside the duplicate window is stored once.
 */
export class JetStreamRoomStore implements RoomStore {
  readonly #streams: RoomStreams;
  readonly #roomKey: string;
  readonly #subject: string;
  /** Stream sequence of the room's last stored message; 0: none. */
  #lastSeq = 0;
  readonly maxBatchBytes = STORE_BATCH_MAX_BYTES;

  constructor(streams: RoomStreams, roomKey: string, subject: string) {
    this.#streams = streams;
    this.#roomKey = roomKey;
    this.#subject = subject;
  }

  async load(): Promise<RoomState | null> {
    const { manager, client } = await this.#streams.ready();
    let last: Awaited<ReturnType<typeof manager.streams.getMessage>>;
    try {
      last = await manager.streams.getMessage(ROOM_STREAM, { last_by_subj: this.#subject });
    } catch (error) {
      throw this.#streams.failed(`cannot read room ${this.#roomKey}`, error);
    }
    if (last === null) {
      this.#lastSeq = 0;
      return null;
    }
    const epoch = last.header.get(EPOCH_HEADER);
    const offset = Number(last.header.get(OFFSET_HEADER));
    if (epoch === '' || !Number.isSafeInteger(offset) || offset < 1) {
      throw new StorageError(
        'ARQ_ERR_STORAGE_CORRUPT',
        `room ${this.#roomKey}: stored message ${last.seq} has no ${EPOCH_HEADER}/${OFFSET_HEADER}`,
      );
    }
    const history = await this.#read(client, epoch, last.seq);
    this.#lastSeq = last.seq;
    return { epoch, offset, history };
  }

  async append(entries: readonly StoredEntry[]): Promise<void> {
    const { client } = await this.#streams.ready();
    const first = entries[0];
    const last = entries.at(-1);
    if (first === undefined || last === undefined) return;
    const h = headers();
    h.set(EPOCH_HEADER, last.epoch);
    h.set(OFFSET_HEADER, String(last.offset));
    h.set(TS_HEADER, String(last.ts));
    // One message is stored as it is (the format before batches); several as one framed batch.
    const batched = entries.length > 1;
    if (batched) h.set(COUNT_HEADER, String(entries.length));
    const body = batched ? encodeStoredBatch(entries) : last.payload;
    const position = batched ? `${first.offset}-${last.offset}` : String(last.offset);
    const msgID = `${last.epoch}:${position}@${this.#roomKey}`;
    try {
      try {
        this.#lastSeq = await this.#write(client, body, h, msgID, this.#lastSeq);
      } catch (error) {
        // Every message of the room aged out of the stream (max age) or was purged: nothing to
        // conflict with, so the room goes on; a message of another writer would be there.
        if (!isWrongLastSequence(error) || this.#lastSeq === 0 || !(await this.#isEmpty()))
          throw error;
        this.#lastSeq = await this.#write(client, body, h, msgID, 0);
      }
    } catch (error) {
      if (error instanceof StorageError) throw error;
      if (isWrongLastSequence(error)) {
        throw new StorageError(
          'ARQ_ERR_STORAGE_CONFLICT',
          `room ${this.#roomKey}: the stream moved on (another writer, or an earlier write was kept)`,
          { cause: error },
        );
      }
      throw this.#streams.failed(`cannot store into room ${this.#roomKey}`, error);
    }
  }

  /** Stores one message after stream sequence `expected` of the room's subject; its sequence. */
  async #write(
    client: JetStreamClient,
    body: Uint8Array,
    h: MsgHdrs,
    msgID: string,
    expected: number,
  ): Promise<number> {
    const ack = await client.publish(this.#subject, body, {
      headers: h,
      msgID,
      expect: { lastSubjectSequence: expected },
      timeout: this.#streams.timeoutMs,
    });
    // JetStream answers a repeated Msg-Id with the first message's ack, before any expectation
    // is checked. This room never repeats a write (after a failed one it reads the stream
    // again), so the message there is another writer's at the same position: an earlier owner's
    // write that landed after this room read the stream. Its content is not ours.
    if (ack.duplicate) {
      throw new StorageError(
        'ARQ_ERR_STORAGE_CONFLICT',
        `room ${this.#roomKey}: ${msgID} is stored already (an earlier write landed late)`,
      );
    }
    return ack.seq;
  }

  async #isEmpty(): Promise<boolean> {
    const { manager } = await this.#streams.ready();
    return (
      (await manager.streams.getMessage(ROOM_STREAM, { last_by_subj: this.#subject })) === null
    );
  }

  /** The room's kept messages of `epoch`, oldest first, up to stream sequence `lastSeq`. */
  async #read(client: JetStreamClient, epoch: string, lastSeq: number): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    try {
      const consumer = await client.consumers.get(ROOM_STREAM, { filter_subjects: this.#subject });
      const messages = await consumer.consume();
      try {
        for await (const m of messages) {
          // Older epochs can only precede the last one; its messages are what the room resumes.
          if (m.headers?.get(EPOCH_HEADER) === epoch) {
            const offset = Number(m.headers.get(OFFSET_HEADER));
            const count = m.headers.has(COUNT_HEADER) ? Number(m.headers.get(COUNT_HEADER)) : 1;
            const ts = Number(m.headers.get(TS_HEADER));
            const entries =
              count === 1
                ? [
                    {
                      offset,
                      ts: Number.isFinite(ts) ? ts : m.time.getTime(),
                      senderConn: 0,
                      payload: m.data,
                    },
                  ]
                : decodeStoredBatch(m.data, offset, count, `room ${this.#roomKey}`);
            for (const entry of entries) {
              if (out.length > 0 && entry.offset !== (out.at(-1) as HistoryEntry).offset + 1)
                out.length = 0;
              out.push(entry);
            }
          }
          if (m.seq >= lastSeq) break;
        }
      } finally {
        await messages.close();
      }
    } catch (error) {
      throw this.#streams.failed(`cannot read room ${this.#roomKey}`, error);
    }
    return out;
  }
}

function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE;
}

import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import { roomOfKey, tenantOfKey } from '../../actors/index.js';
import { DurableRooms } from './durable-rooms.js';
import { JetStreamRoomStore } from './jetstream-room-store.js';
import type { RoomStorageConfig } from './room-storage-config.js';
import { ROOM_STREAM, ROOM_STREAM_SUBJECTS, roomStoreSubject } from './room-subjects.js';
import { StorageError } from './storage-error.js';

/**
 * How long a durable publish waits for JetStream's answer before the publisher gets `overloaded`.
 * Well above a stored write's round trip (under a millisecond locally, a few in a NATS cluster),
 * well below the SDK's request timeout, so the client hears the refusal rather than a timeout.
 */
export const DURABLE_WRITE_TIMEOUT_MS = 2_000;
const NATS_RECONNECT_WAIT_MS = 250;

interface Ready {
  readonly manager: JetStreamManager;
  readonly client: JetStreamClient;
}

export interface RoomStreamsOptions {
  readonly config: RoomStorageConfig;
  readonly log: (line: string) => void;
  readonly timeoutMs?: number;
}

/**
 * A shard thread's way to JetStream for its durable rooms: one NATS connection, the rooms stream
 * (created, or updated to this node's limits, on first use and again after it went missing), and a
 * store per room. The shard starts without waiting for NATS: until it is reachable, durable rooms
 * refuse (`overloaded`) and the others run as ever.
 */
export class RoomStreams {
  readonly durable: DurableRooms;
  readonly timeoutMs: number;
  readonly #log: (line: string) => void;
  readonly #connecting: Promise<NatsConnection>;
  #connection: NatsConnection | null = null;
  /** The stream is known to exist with our limits; null: check (and create) on next use. */
  #ready: Promise<Ready> | null = null;
  #closed = false;
  /** The first connection failed or took longer than `timeoutMs`: do not wait for it again. */
  #gaveUpWaiting = false;
  #firstWait: Promise<void> | null = null;

  constructor(options: RoomStreamsOptions) {
    this.#log = options.log;
    this.durable = new DurableRooms(options.config.rooms);
    this.timeoutMs = options.timeoutMs ?? DURABLE_WRITE_TIMEOUT_MS;
    const c = options.config;
    this.#connecting = connect({
      servers: c.servers.split(','),
      name: c.name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: NATS_RECONNECT_WAIT_MS,
      ...(c.user !== null ? { user: c.user } : {}),
      ...(c.password !== null ? { pass: c.password } : {}),
    });
    this.#connecting.then(
      (connection) => {
        if (this.#closed) void connection.close();
        else this.#connection = connection;
      },
      (error: unknown) => {
        this.#gaveUpWaiting = true;
        this.#log(`durable rooms: cannot connect to NATS: ${String(error)}`);
      },
    );
  }

  /** Settles when the first connection is made or given up, or after `timeoutMs` at most. */
  #firstConnect(): Promise<void> {
    this.#firstWait ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // Later callers fail fast, as while NATS is down.
        this.#gaveUpWaiting = true;
        resolve();
      }, this.timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#connecting.then(settle, settle);
    });
    return this.#firstWait;
  }

  /** The store of `roomKey`, or null when the room is not durable. */
  storeOf(roomKey: string): JetStreamRoomStore | null {
    if (!this.durable.isDurable(roomKey)) return null;
    return new JetStreamRoomStore(
      this,
      roomKey,
      roomStoreSubject(tenantOfKey(roomKey), roomOfKey(roomKey)),
    );
  }

  /**
   * The JetStream API with the rooms stream in place; fails fast while NATS is unreachable. A
   * shard that has just started waits up to `timeoutMs` for its first connection: a restarted
   * shard's first requests are the restore joins of its rooms' members, which should be served,
   * not refused, when NATS is up.
   */
  ready(): Promise<Ready> {
    const connection = this.#connection;
    if (connection === null && !this.#closed && !this.#gaveUpWaiting)
      return this.#firstConnect().then(() => this.ready());
    if (connection === null || connection.isClosed()) {
      return Promise.reject(
        new StorageError('ARQ_ERR_STORAGE_UNAVAILABLE', 'durable rooms: NATS is not connected'),
      );
    }
    this.#ready ??= this.#ensureStream(connection);
    const ready = this.#ready;
    ready.catch(() => {
      if (this.#ready === ready) this.#ready = null;
    });
    return ready;
  }

  /**
   * A failed JetStream call, as a StorageError; the stream is checked again before the next call,
   * so one deleted by hand is recreated (and said so) rather than failing every write.
   */
  failed(what: string, error: unknown): StorageError {
    this.#ready = null;
    const reason = error instanceof Error ? error.message : String(error);
    return new StorageError('ARQ_ERR_STORAGE_UNAVAILABLE', `durable rooms: ${what}: ${reason}`, {
      cause: error,
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connection?.close();
  }

  async #ensureStream(connection: NatsConnection): Promise<Ready> {
    const opts = { timeout: this.timeoutMs };
    try {
      const manager = await jetstreamManager(connection, opts);
      const wanted = this.#streamConfig();
      const info = await manager.streams.info(ROOM_STREAM).catch(() => null);
      if (info === null) {
        await manager.streams.add(wanted);
        this.#log(`durable rooms: stream ${ROOM_STREAM} created (${ROOM_STREAM_SUBJECTS})`);
      } else if (
        info.config.max_msgs_per_subject !== wanted.max_msgs_per_subject ||
        info.config.max_age !== wanted.max_age
      ) {
        // Every node is configured alike; the last one to start with new limits applies them.
        await manager.streams.update(ROOM_STREAM, {
          max_msgs_per_subject: wanted.max_msgs_per_subject,
          max_age: wanted.max_age,
        });
        this.#log(`durable rooms: stream ${ROOM_STREAM} limits updated`);
      }
      return { manager, client: jetstream(connection, opts) };
    } catch (error) {
      throw new StorageError(
        'ARQ_ERR_STORAGE_UNAVAILABLE',
        `durable rooms: stream ${ROOM_STREAM} unavailable (is JetStream on?): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Count and age are JetStream's own per-room limits. Bytes have no per-subject limit in
   * nats-server 2.9: a room's bytes are bounded where it is replayed from (the owner's window).
   */
  #streamConfig(): Partial<StreamConfig> & {
    name: string;
    max_msgs_per_subject: number;
    max_age: number;
  } {
    return {
      name: ROOM_STREAM,
      subjects: [ROOM_STREAM_SUBJECTS],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_msgs_per_subject: this.durable.maxMessages,
      max_age: nanos(this.durable.maxAgeSec * 1000),
      allow_direct: true,
    };
  }
}

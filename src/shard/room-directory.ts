import {
  type ActorRef,
  type ActorSystem,
  RoomActor,
  type RoomHistoryOptions,
  type RoomState,
  type RoomStore,
} from '../../actors/index.js';
import { type DynamicSupervisor, isNormalExit } from '../../supervision/index.js';
import type { RingRoomOutput } from './ring-room-output.js';

export interface RoomDirectoryOptions {
  readonly system: ActorSystem;
  readonly supervisor: DynamicSupervisor;
  readonly output: RingRoomOutput;
  readonly idleMs: number;
  readonly history?: RoomHistoryOptions;
  /** Durable rooms: their store (null for a room that is not durable) and what each keeps. */
  readonly durable?: {
    readonly storeOf: (roomKey: string) => RoomStore | null;
    readonly history: RoomHistoryOptions;
    /** The stream's max age (ms): `history` serves nothing older. */
    readonly maxAgeMs: number;
  };
  /** Payload bytes one `history` answer may carry (it is one ring record). */
  readonly historyReplyMaxBytes: number;
  /** A room ended abnormally (crashed): the edge re-joins its members to a fresh one. */
  readonly onRoomDown: (roomKey: string, reason: string) => void;
}

const ROOM_SHUTDOWN_MS = 5_000;

/**
 * The shard's rooms by key: each room is an actor started on first use under the shard's dynamic
 * supervisor (temporary: a crashed room is not restarted in place; the edge re-joins its members,
 * which starts a new one).
 */
export class RoomDirectory {
  readonly #options: RoomDirectoryOptions;
  readonly #rooms = new Map<string, ActorRef>();

  constructor(options: RoomDirectoryOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#rooms.size;
  }

  /** The live room for `roomKey`, or null. */
  find(roomKey: string): ActorRef | null {
    const ref = this.#rooms.get(roomKey);
    return ref !== undefined && this.#options.system.isAlive(ref) ? ref : null;
  }

  /** The live room for `roomKey`, started now if there is none. */
  obtain(roomKey: string): ActorRef {
    return this.find(roomKey) ?? this.#start(roomKey);
  }

  /**
   * Starts the room afresh from `state` (handed over by its previous owner node); a room of that
   * key still here (from an earlier time this node owned it) is stopped: it is out of date.
   */
  replace(roomKey: string, state: RoomState): ActorRef {
    const old = this.find(roomKey);
    this.#rooms.delete(roomKey);
    if (old !== null) void this.#options.system.stop(old).catch(() => {});
    return this.#start(roomKey, state);
  }

  #start(roomKey: string, initial?: RoomState): ActorRef {
    const { system, supervisor, output, durable } = this.#options;
    const store = durable?.storeOf(roomKey) ?? null;
    const history = store !== null ? durable?.history : this.#options.history;
    const actor = new RoomActor({
      roomKey,
      output,
      idleMs: this.#options.idleMs,
      ...(history ? { history } : {}),
      ...(store !== null ? { store, maxAgeMs: durable?.maxAgeMs ?? 0 } : {}),
      historyReplyMaxBytes: this.#options.historyReplyMaxBytes,
      ...(initial !== undefined ? { initial } : {}),
    });
    // Spawned here, not inside the supervisor's start, so that messages can be told to it at once;
    // they wait in its mailbox until `started` ran.
    const handle = system.spawnHandle(actor);
    this.#rooms.set(roomKey, handle.ref);
    void handle.exited.then((reason) => {
      if (this.#rooms.get(roomKey) === handle.ref) {
        this.#rooms.delete(roomKey);
        output.forget(roomKey);
      }
      if (!isNormalExit(reason)) {
        this.#options.onRoomDown(
          roomKey,
          reason.type === 'error' ? String(reason.error) : reason.type,
        );
      }
    });
    supervisor
      .startChild({
        id: `${roomKey}#${handle.ref.id}`,
        restart: 'temporary',
        shutdown: ROOM_SHUTDOWN_MS,
        start: async () => {
          await handle.started;
          return {
            exited: handle.exited,
            stop: () => void system.stop(handle.ref).catch(() => {}),
            kill: () => system.kill(handle.ref),
          };
        },
      })
      .catch(() => system.kill(handle.ref));
    return handle.ref;
  }
}

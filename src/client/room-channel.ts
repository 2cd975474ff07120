import type { JoinOptions, PublishOptions } from './client-frame.js';
import type { Emitter, Listener } from './emitter.js';
import type { ArqonClientError } from './errors.js';
import type { Presence } from './presence.js';
import type { JoinResult, PublishResult } from './reply-body.js';
import type { RoomMessage } from './server-frame.js';

export type RoomEvents = {
  /** A message of this room (live, or replayed after a resume). */
  message: [RoomMessage];
  /** The room's presence changed; `presence.list()` is current. */
  presence: [Presence];
  /**
   * The client re-joined this room after a reconnect. `recovered: false` means messages were
   * missed and not replayed: reload what you show from elsewhere.
   */
  rejoin: [JoinResult];
  /** The automatic re-join failed (e.g. the new token no longer allows the room): not joined. */
  error: [ArqonClientError];
};

/** What a room handle needs of its client. */
export interface RoomOperations {
  join(room: string, options?: JoinOptions): Promise<JoinResult>;
  leave(room: string): Promise<void>;
  publish(room: string, data: unknown, options?: PublishOptions): Promise<PublishResult>;
  isJoined(room: string): boolean;
}

/**
 * One room seen from a client: `client.room(name)`. The same handle for the same name, joined or
 * not; its listeners stay across leave, join and reconnects.
 */
export class RoomChannel {
  readonly #name: string;
  readonly #client: RoomOperations;
  readonly #events: Emitter<RoomEvents>;
  readonly #presence: Presence;

  /** Made by the client, which keeps `events` to emit on and feeds `presence`. */
  constructor(
    name: string,
    client: RoomOperations,
    events: Emitter<RoomEvents>,
    presence: Presence,
  ) {
    this.#name = name;
    this.#client = client;
    this.#events = events;
    this.#presence = presence;
    presence.onSync(() => events.emit('presence', presence));
  }

  get name(): string {
    return this.#name;
  }

  /** Who is in the room, as far as the last presence frames tell. */
  get presence(): Presence {
    return this.#presence;
  }

  /** Joined (or re-joining after a reconnect), and not left since. */
  get joined(): boolean {
    return this.#client.isJoined(this.#name);
  }

  on<E extends keyof RoomEvents & string>(event: E, listener: Listener<RoomEvents[E]>): () => void {
    return this.#events.on(event, listener);
  }

  off<E extends keyof RoomEvents & string>(event: E, listener: Listener<RoomEvents[E]>): void {
    this.#events.off(event, listener);
  }

  join(options: JoinOptions = {}): Promise<JoinResult> {
    return this.#client.join(this.#name, options);
  }

  leave(): Promise<void> {
    return this.#client.leave(this.#name);
  }

  publish(data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    return this.#client.publish(this.#name, data, options);
  }
}

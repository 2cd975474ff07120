import type { HistoryAnswer, HistoryQuery, ResumeFrom, RoomState } from '../../actors/index.js';
import { type Child, type ExitReason, Supervisor } from '../../supervision/index.js';
import type { RunnerPolicy } from '../policy/index.js';
import { EnvelopeKind } from '../transport/index.js';
import { describeError } from './describe-error.js';
import { PolicyDeployments } from './policy-deployments.js';
import { RoomKeyBytes } from './room-key-bytes.js';
import type { ShardPoolEvent } from './shard-delivery.js';
import { ShardError } from './shard-error.js';
import { ShardInbox } from './shard-inbox.js';
import { ShardPlacement } from './shard-placement.js';
import {
  type ResolvedShardPoolOptions,
  resolveShardPoolOptions,
  type ShardPoolOptions,
} from './shard-pool-options.js';
import { type ReplyCallback, type ReusableSlotHeader, ShardSlot } from './shard-slot.js';
import { ShardStarter } from './shard-starter.js';
import {
  encodeControl,
  encodeJson,
  FLAG_ECHO,
  FLAG_RESTORE,
  type JoinBody,
  type ShardEvent,
  type ShardRequest,
} from './shard-wire.js';

const EMPTY = new Uint8Array(0);
const EXPIRE_SWEEP_MS = 1_000;

export interface JoinReply {
  readonly epoch: string;
  readonly offset: number;
  readonly recovered?: false;
}

export interface PublishReply {
  readonly id: string;
  readonly offset: number;
}

/**
 * The node's shard worker threads, as supervised children of one one_for_one supervisor, and the
 * edge's request/reply over their rings. The pool is itself a supervision Child: when its
 * supervisor exceeds the restart intensity (a crash loop), the pool exits with that error.
 *
 * When a shard dies: what it published before dying is still handed over, then both rings are reset
 * (a new epoch), requests it never answered fail with ARQ_ERR_SHARD_DOWN, and a `shard-started`
 * event with restart=true tells the edge to re-join the members of its rooms (which restarts them).
 *
 * Its parts: PolicyDeployments tracks which policies each shard holds, ShardStarter starts and
 * restarts the shards, ShardInbox handles what they send back.
 */
export class ShardPool implements Child {
  readonly #options: ResolvedShardPoolOptions;
  readonly #placement: ShardPlacement;
  readonly #slots: readonly ShardSlot[];
  readonly #publishHeader: ReusableSlotHeader = {
    kind: EnvelopeKind.Publish,
    flags: 0,
    connId: 0,
    roomId: 0,
    value: 0,
  };
  readonly #keys = new RoomKeyBytes();
  readonly #supervisor: Supervisor;
  readonly #exited: Promise<ExitReason>;
  readonly #deployments: PolicyDeployments;
  readonly #inbox: ShardInbox;
  readonly #starter: ShardStarter;
  #sweep: NodeJS.Timeout | null = null;
  #failed = false;
  #stopping = false;

  constructor(options: ShardPoolOptions) {
    this.#options = resolveShardPoolOptions(options);
    const o = this.#options;
    this.#placement = new ShardPlacement(o.shards);
    this.#slots = Array.from(
      { length: o.shards },
      (_, index) =>
        new ShardSlot({
          index,
          ringBytes: o.ringBytes,
          maxQueuedBytes: o.maxQueuedBytes,
        }),
    );
    const emit = (event: ShardPoolEvent): void => this.#emit(event);
    this.#deployments = new PolicyDeployments(this.#slots);
    this.#inbox = new ShardInbox({ options: o, emit, deployments: this.#deployments });
    this.#starter = new ShardStarter({
      options: o,
      deployments: this.#deployments,
      inbox: this.#inbox,
      emit,
      stopping: () => this.#stopping,
    });
    this.#supervisor = new Supervisor({
      name: `${o.nodeId}-shards`,
      strategy: 'one_for_one',
      maxRestarts: o.maxRestarts,
      periodMs: o.periodMs,
      children: this.#slots.map((slot) => ({
        id: `shard-${slot.index}`,
        restart: 'permanent',
        shutdown: o.shutdownMs,
        start: () => this.#starter.start(slot),
      })),
      ...(o.onSupervisionEvent !== null ? { onEvent: o.onSupervisionEvent } : {}),
    });
    this.#exited = this.#supervisor.exited.then((reason) => {
      this.#failed = true;
      this.#stopSweep();
      for (const slot of this.#slots) {
        slot.failAll('shard pool stopped');
        slot.channel.close();
      }
      if (reason.type === 'error')
        this.#emit({ type: 'pool-failed', reason: describeError(reason.error) });
      return reason;
    });
  }

  get workers(): number {
    return this.#slots.length;
  }

  get exited(): Promise<ExitReason> {
    return this.#exited;
  }

  /** Total starts of shard threads, first starts included. */
  get starts(): number {
    return this.#slots.reduce((sum, slot) => sum + slot.starts, 0);
  }

  async start(): Promise<void> {
    for (const slot of this.#slots) {
      slot.channel
        .receive((record) => this.#inbox.onRecord(slot, record))
        .catch((err: unknown) => {
          // Only a bug in ShardInbox gets here; the edge must not go deaf: fail the pool loudly.
          this.#emit({
            type: 'pool-failed',
            reason: `receive loop of shard ${slot.index} ended: ${describeError(err)}`,
          });
          this.#supervisor.kill();
        });
    }
    this.#sweep = setInterval(() => {
      for (const slot of this.#slots) slot.expire(this.#options.requestTimeoutMs);
    }, EXPIRE_SWEEP_MS);
    this.#sweep.unref();
    await this.#supervisor.start();
  }

  stop(): void {
    this.#stopping = true;
    void this.#supervisor.stop();
  }

  /** Stops every shard thread gracefully and resolves when they are gone. */
  async close(): Promise<void> {
    this.stop();
    await this.#exited;
  }

  kill(): void {
    this.#supervisor.kill();
  }

  shardOf(roomKey: string): number {
    return this.#placement.shardOf(roomKey);
  }

  /** Joins `connId` to a room; `done` runs synchronously as the reply is read off the ring. */
  join(
    roomKey: string,
    connId: number,
    since: ResumeFrom | null,
    restore: boolean,
    done: (error: Error | null, reply: JoinReply | null) => void,
  ): void {
    const body: JoinBody = { since };
    this.#slotFor(roomKey).request(
      { kind: EnvelopeKind.Join, flags: restore ? FLAG_RESTORE : 0, connId, roomId: 0, value: 0 },
      this.#keys.of(roomKey),
      encodeJson(body),
      done as ReplyCallback,
    );
  }

  /** Leaves a room; with no callback (a disconnect) the shard sends nothing back. */
  leave(roomKey: string, connId: number, done: ReplyCallback | null): void {
    const header = { kind: EnvelopeKind.Leave, flags: 0, connId, roomId: 0, value: 0 } as const;
    const slot = this.#slotFor(roomKey);
    if (done !== null) slot.request(header, this.#keys.of(roomKey), EMPTY, done);
    else slot.send(header, this.#keys.of(roomKey), EMPTY);
  }

  publish(
    roomKey: string,
    connId: number,
    payload: Uint8Array,
    echo: boolean,
    ingressTs: number,
    done: ((error: Error | null, reply: PublishReply | null) => void) | null,
  ): void {
    // One header object for every publish (the slot copies its fields at once): none per message.
    const header = this.#publishHeader;
    header.flags = echo ? FLAG_ECHO : 0;
    header.connId = connId;
    header.value = ingressTs;
    const slot = this.#slotFor(roomKey);
    if (done !== null) slot.request(header, this.#keys.of(roomKey), payload, done as ReplyCallback);
    else slot.send(header, this.#keys.of(roomKey), payload);
  }

  /** Reads a room's kept messages (a durable room not running starts and loads its stream). */
  history(
    roomKey: string,
    query: HistoryQuery,
    done: (error: Error | null, answer: HistoryAnswer | null) => void,
  ): void {
    this.#control(this.#slotFor(roomKey), { type: 'history', roomKey, query }, (error, event) => {
      if (error !== null || event === null) return done(error, null);
      if (event.type !== 'history') return done(unexpectedEvent('history', event), null);
      done(null, event.answer);
    });
  }

  /**
   * Takes a room out of this node (it moves to another): `done` gets its state once everything
   * sent to the room before has been handled (so after its earlier replies and deliveries), or
   * null when the shard has no such room. The room is stopped.
   */
  exportRoom(roomKey: string, done: (error: Error | null, state: RoomState | null) => void): void {
    this.#control(this.#slotFor(roomKey), { type: 'export', roomKey }, (error, event) => {
      if (error !== null || event === null) return done(error, null);
      if (event.type !== 'exported') return done(unexpectedEvent('exported', event), null);
      done(null, event.state);
    });
  }

  /**
   * Starts a room from the state its previous owner handed over; whatever is sent for the room
   * after this call reaches the new room (one ring, in order).
   */
  importRoom(roomKey: string, state: RoomState, done: (error: Error | null) => void): void {
    this.#control(this.#slotFor(roomKey), { type: 'import', roomKey, state }, (error, event) => {
      if (error !== null || event === null) return done(error);
      done(event.type === 'imported' ? null : unexpectedEvent('imported', event));
    });
  }

  #control(
    slot: ShardSlot,
    request: ShardRequest,
    done: (error: Error | null, event: ShardEvent | null) => void,
  ): void {
    slot.request(
      { kind: EnvelopeKind.Control, flags: 0, connId: 0, roomId: 0, value: 0 },
      EMPTY,
      encodeControl(request),
      (error, value) => done(error, error === null ? (value as ShardEvent) : null),
    );
  }

  /** The number of live rooms and actors in one shard. */
  async stats(shard: number): Promise<{ rooms: number; actors: number }> {
    const event = await new Promise<ShardEvent>((resolve, reject) =>
      this.#slot(shard).request(
        { kind: EnvelopeKind.Control, flags: 0, connId: 0, roomId: 0, value: 0 },
        EMPTY,
        encodeControl({ type: 'stats' }),
        (error, value) => (error ? reject(error) : resolve(value as ShardEvent)),
      ),
    );
    if (event.type !== 'stats')
      throw new ShardError('ARQ_ERR_SHARD_PROTOCOL', `expected stats, got ${event.type}`);
    return { rooms: event.rooms, actors: event.actors };
  }

  /**
   * Hands the policies in force to every shard (on_publish runs there); resolves once each shard
   * that is running holds them. A shard that starts later gets them before its first record.
   */
  deployPolicies(policies: readonly RunnerPolicy[]): Promise<void> {
    return this.#deployments.deploy(policies);
  }

  /** Chaos: terminates a shard thread from outside, as an operator or a fault would. */
  killShard(shard: number): boolean {
    const worker = this.#slot(shard).worker;
    if (worker === null) return false;
    void worker.terminate();
    return true;
  }

  /** Chaos: makes a shard thread die of an uncaught error. */
  crashShard(shard: number, reason: string): void {
    this.#slot(shard).send(
      { kind: EnvelopeKind.Control, flags: 0, connId: 0, roomId: 0, value: 0 },
      EMPTY,
      encodeControl({ type: 'crash', reason }),
    );
  }

  #slot(shard: number): ShardSlot {
    const slot = this.#slots[shard];
    if (slot === undefined) {
      throw new ShardError(
        'ARQ_ERR_SHARD_OPTIONS',
        `shard must be 0..${this.#slots.length - 1}, got ${shard}`,
      );
    }
    if (this.#failed) throw new ShardError('ARQ_ERR_SHARD_STOPPED', 'the shard pool has stopped');
    return slot;
  }

  #slotFor(roomKey: string): ShardSlot {
    return this.#slot(this.#placement.shardOf(roomKey));
  }

  #emit(event: ShardPoolEvent): void {
    try {
      this.#options.onEvent(event);
    } catch {
      // An observer's bug must not break the pool.
    }
  }

  #stopSweep(): void {
    if (this.#sweep !== null) clearInterval(this.#sweep);
    this.#sweep = null;
  }
}

function unexpectedEvent(expected: string, event: ShardEvent): ShardError {
  return new ShardError('ARQ_ERR_SHARD_PROTOCOL', `expected ${expected}, got ${event.type}`);
}

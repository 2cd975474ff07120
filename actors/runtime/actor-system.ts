import type { ActorCell } from './actor-cell.js';
import type { AskOptions, StopReason } from './actor-context.js';
import {
  type ActorAddress,
  type ActorRef,
  actorRef,
  addressKey,
  type ThreadAddress,
} from './actor-ref.js';
import { ActorRouter } from './actor-router.js';
import type { Behavior } from './behavior.js';
import type { ExitReason } from './child-contract.js';
import { ActorError } from './errors.js';
import { nonEmptyString, timeoutMs } from './option-checks.js';
import type { RemoteEnvelope, RemoteSink } from './remote-envelope.js';
import { Scheduler } from './scheduler.js';
import { resolveSpawnOptions, type SpawnOptions } from './spawn-options.js';
import {
  type ActorSystemOptions,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  type ResolvedSystemOptions,
  resolveSystemOptions,
} from './system-options.js';

/** A spawned actor with promises for the end of its `started` callback and for its exit. */
export interface ActorHandle {
  readonly ref: ActorRef;
  /** Resolves when `started` has completed; rejects with ARQ_ERR_START_FAILED if it fails. */
  readonly started: Promise<void>;
  readonly exited: Promise<ExitReason>;
}

export interface ShutdownOptions {
  /** How long graceful stops may take before the remaining actors are killed. */
  readonly timeoutMs?: number;
}

export interface ActorSystemStats {
  readonly actors: number;
  readonly pendingAsks: number;
  readonly ticks: number;
  /** Tells from another thread, sent from outside any actor, refused by a full mailbox here. */
  readonly refusedRemoteTells: number;
}

const SHUTDOWN: StopReason = { type: 'shutdown' };
const KILLED: ExitReason = { type: 'killed' };

/**
 * The actors of one thread, with Erlang/OTP semantics:
 *
 * - Each actor handles one message at a time, in mailbox order; an async callback keeps it busy
 *   until it settles. The scheduler runs actors round robin in bounded turns and ticks.
 * - A callback that throws or rejects ends the actor with `{type:'error'}`.
 * - Monitors are one-way: the watcher gets `{type:'down', ref, monitor, reason}`; watching an
 *   actor that is not alive gives `noproc` at once.
 * - Links are two-way. When an actor ends with any reason but `normal`, each linked actor dies too,
 *   with an `error` reason whose error (ARQ_ERR_LINKED_EXIT) has the original reason as `cause`,
 *   unless it traps exits: then it gets `{type:'exit', ref, reason}` instead (also for `normal`).
 * - Tells to dead actors vanish; asks to them fail with ARQ_ERR_NO_PROC, as do asks an actor had
 *   taken but not answered when it died.
 * - Refs are plain data `{node, thread, id, name?}`; a ref of another thread or node goes through the
 *   transport given in the options, and `deliverRemote` takes what the transport brings in.
 */
export class ActorSystem implements RemoteSink {
  readonly #options: ResolvedSystemOptions;
  readonly #scheduler: Scheduler;
  readonly #router: ActorRouter;
  #shutdown: Promise<void> | null = null;

  constructor(options?: ActorSystemOptions) {
    this.#options = resolveSystemOptions(options);
    this.#scheduler = new Scheduler(this.#options.messagesPerTurn, this.#options.messagesPerTick);
    this.#router = new ActorRouter({ ...this.#options, scheduler: this.#scheduler });
    this.#options.transport?.attach?.(this);
  }

  get node(): string {
    return this.#options.node;
  }

  get thread(): number {
    return this.#options.thread;
  }

  /** The system's own address (actor id 0), where replies to its asks arrive. */
  get address(): ActorAddress {
    return this.#router.address;
  }

  spawn<M>(behavior: Behavior<M>, options?: SpawnOptions): ActorRef {
    return this.#router.spawnCell(behavior as Behavior<never>, resolveSpawnOptions(options), null)
      .ref;
  }

  spawnHandle<M>(behavior: Behavior<M>, options?: SpawnOptions): ActorHandle {
    const cell = this.#router.spawnCell(
      behavior as Behavior<never>,
      resolveSpawnOptions(options),
      null,
    );
    return { ref: cell.ref, started: cell.whenStarted(), exited: cell.exited() };
  }

  /** Fire-and-forget from outside any actor (see ActorContext.tell). */
  tell(ref: ActorRef, message: unknown): void {
    this.#router.tell(null, ref, message);
  }

  ask<R = unknown>(ref: ActorRef, message: unknown, options?: AskOptions): Promise<R> {
    return this.#router.ask(ref, message, options) as Promise<R>;
  }

  register(name: string, ref: ActorRef): void {
    nonEmptyString('name', name, '');
    this.#router.names.register(name, this.#live(ref), addressKey(ref));
  }

  unregister(name: string): boolean {
    return this.#router.names.unregister(name);
  }

  whereis(name: string): ActorRef | null {
    const cell = this.#router.names.lookup(name);
    if (cell === undefined) return null;
    const { node, thread, id } = cell.ref;
    return cell.ref.name === name ? cell.ref : actorRef(node, thread, id, name);
  }

  isAlive(ref: ActorRef): boolean {
    this.#assertLocal(ref);
    return this.#router.cell(ref) !== undefined;
  }

  /** Graceful stop (default reason `shutdown`): `stopped` runs; resolves with the final reason. */
  stop(ref: ActorRef, reason: StopReason = SHUTDOWN): Promise<ExitReason> {
    try {
      const cell = this.#live(ref);
      cell.requestStop(reason);
      return cell.exited();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Ends the actor now with `killed`, without `stopped`; a no-op if it is not alive. */
  kill(ref: ActorRef): void {
    this.#assertLocal(ref);
    this.#router.cell(ref)?.kill(KILLED);
  }

  /** Resolves with the actor's exit reason; rejects with ARQ_ERR_NO_PROC if it is not alive. */
  exited(ref: ActorRef): Promise<ExitReason> {
    try {
      return this.#live(ref).exited();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  deliverRemote(envelope: RemoteEnvelope): void {
    this.#router.deliverRemote(envelope);
  }

  remoteDown(peer: ThreadAddress): void {
    this.#router.remoteDown(peer);
  }

  stats(): ActorSystemStats {
    return {
      actors: this.#router.actorCount,
      pendingAsks: this.#router.pendingAsks,
      ticks: this.#scheduler.ticks,
      refusedRemoteTells: this.#router.refusedRemoteTells,
    };
  }

  /**
   * Stops every actor gracefully, newest first, kills those still running after `timeoutMs`, then
   * fails pending asks. New spawns and asks are refused from the start. Idempotent.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    const ms = timeoutMs('options.timeoutMs', options.timeoutMs, DEFAULT_SHUTDOWN_TIMEOUT_MS);
    if (this.#shutdown !== null) return this.#shutdown;
    this.#router.close();
    const cells = this.#router.cells().reverse();
    for (const cell of cells) cell.requestStop(SHUTDOWN);
    const timer = setTimeout(() => {
      for (const cell of cells) cell.kill(KILLED);
    }, ms);
    this.#shutdown = Promise.all(cells.map((cell) => cell.exited())).then(() => {
      clearTimeout(timer);
      this.#router.failPendingAsks();
    });
    return this.#shutdown;
  }

  #assertLocal(ref: ActorRef): void {
    if (!this.#router.isLocal(ref)) {
      throw new ActorError(
        'ARQ_ERR_NOT_LOCAL',
        `actor ${addressKey(ref)} is not in this system (${this.node}/${this.thread})`,
      );
    }
  }

  #live(ref: ActorRef): ActorCell {
    this.#assertLocal(ref);
    const cell = this.#router.cell(ref);
    if (cell === undefined) {
      throw new ActorError('ARQ_ERR_NO_PROC', `actor ${addressKey(ref)} is not alive`);
    }
    return cell;
  }
}

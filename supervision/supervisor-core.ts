import { type Child, type ExitReason, KILLED_EXIT, shouldRestart } from './child.js';
import type { ChildSlot } from './child-slot.js';
import { SupervisorError } from './errors.js';
import { exitSeenByParent } from './exit-seen-by-parent.js';
import type { RestartIntensity } from './restart-intensity.js';
import { shutdownChild } from './shutdown-child.js';
import {
  publishSupervisionEvent,
  type SupervisionEvent,
  type SupervisionEventListener,
} from './supervision-event.js';

export type SupervisorState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** What a supervisor kind tells the shared machinery about its children. */
export interface SupervisorCoreOptions {
  readonly name: string;
  readonly intensity: RestartIntensity;
  readonly onEvent: SupervisionEventListener | undefined;
  /** The supervisor's children, in start order. */
  readonly slots: () => readonly ChildSlot[];
  /** Whether `slot` is still one of the supervisor's children. */
  readonly owns: (slot: ChildSlot) => boolean;
  /** Drops a child from the supervisor (temporary children, ended dynamic children). */
  readonly remove: (slot: ChildSlot) => void;
  /** The children a restart of `dead` stops (in reverse) and starts again (in order): the strategy. */
  readonly affected: (dead: ChildSlot) => readonly ChildSlot[];
  /** Whether a child that ended for good (transient, normal exit) keeps its place, as in OTP's supervisor. */
  readonly keepsEndedChildren: boolean;
}

const noop = (): void => {};

/**
 * The lifecycle and restart machinery shared by Supervisor and DynamicSupervisor. Like an OTP
 * supervisor process handling its mailbox, every change (start, a child's exit, the public child
 * operations, stop) runs as one operation in a queue, one at a time; an operation in flight notices
 * a stop request after each await and gets out of the way.
 */
export class SupervisorCore {
  readonly #options: SupervisorCoreOptions;
  #state: SupervisorState = 'idle';
  #queue: Promise<void> = Promise.resolve();
  #killRequested = false;
  /** Every started instance that has not exited yet, attached to a slot or being stopped. */
  readonly #live = new Set<Child>();
  readonly #exited: Promise<ExitReason>;
  #resolveExited: (reason: ExitReason) => void = noop;

  constructor(options: SupervisorCoreOptions) {
    this.#options = options;
    this.#exited = new Promise<ExitReason>((resolve) => {
      this.#resolveExited = resolve;
    });
  }

  get name(): string {
    return this.#options.name;
  }

  get state(): SupervisorState {
    return this.#state;
  }

  get exited(): Promise<ExitReason> {
    return this.#exited;
  }

  /** Runs `op` after every operation queued before it. */
  serialize<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(op);
    this.#queue = result.then(noop, noop);
    return result;
  }

  /** Throws unless the supervisor is running (for the public child operations). */
  assertRunning(operation: string): void {
    if (this.#state !== 'running')
      throw new SupervisorError(
        'ARQ_ERR_SUPERVISOR_STATE',
        `${operation} needs supervisor "${this.name}" to be running; it is ${this.#state}`,
      );
  }

  /**
   * Starts every child in order. If one fails, those already started are stopped in reverse order,
   * the supervisor exits with that error and start() rejects with it.
   */
  start(): Promise<void> {
    if (this.#state !== 'idle')
      return Promise.reject(
        new SupervisorError(
          'ARQ_ERR_SUPERVISOR_STATE',
          `supervisor "${this.name}" cannot start: it is ${this.#state}`,
        ),
      );
    this.#state = 'starting';
    return this.serialize(async () => {
      for (const slot of [...this.#options.slots()]) {
        if (this.#state !== 'starting') break;
        try {
          await this.startSlot(slot, 'child_started');
        } catch (error) {
          await this.#terminate({ type: 'error', error });
          throw error;
        }
      }
      if (this.#state !== 'starting')
        throw new SupervisorError(
          'ARQ_ERR_SUPERVISOR_STATE',
          `supervisor "${this.name}" was stopped while starting`,
        );
      this.#state = 'running';
    });
  }

  /** Stops all children in reverse order, then exits with `reason` (or 'killed' if kill() came). */
  requestStop(reason: ExitReason): void {
    switch (this.#state) {
      case 'idle':
        this.#state = 'stopped';
        this.#finish(this.#killRequested ? KILLED_EXIT : reason);
        return;
      case 'starting':
      case 'running':
        this.#state = 'stopping';
        void this.serialize(() => this.#terminate(reason));
        return;
      case 'stopping':
      case 'stopped':
        return;
    }
  }

  /** Kills every child now (and any that finishes starting later), then exits with 'killed'. */
  kill(): void {
    if (this.#state === 'stopped') return;
    this.#killRequested = true;
    for (const child of [...this.#live].reverse()) child.kill();
    this.requestStop(KILLED_EXIT);
  }

  /**
   * Starts the child of `slot` and watches for its exit. On failure reports start_failed and
   * throws ARQ_ERR_START_FAILED with the child's error as cause.
   */
  async startSlot(slot: ChildSlot, event: 'child_started' | 'child_restarted'): Promise<void> {
    let child: Child;
    try {
      child = await slot.spec.start();
    } catch (cause) {
      this.#emit({ type: 'start_failed', supervisor: this.name, id: slot.id, error: cause });
      throw new SupervisorError(
        'ARQ_ERR_START_FAILED',
        `child "${slot.id}" of supervisor "${this.name}" failed to start`,
        { cause },
      );
    }
    const generation = slot.attach(child);
    this.#live.add(child);
    this.#emit({ type: event, supervisor: this.name, id: slot.id });
    void child.exited.then((reason) => this.#onExit(slot, child, generation, reason));
    if (this.#killRequested) child.kill();
  }

  /** Stops the child of `slot` (if running) under its shutdown rule and reports how it exited. */
  async stopSlot(slot: ChildSlot): Promise<void> {
    // Detach first so the exit watcher knows this exit was asked for and must not restart it.
    const child = slot.detach();
    if (child === undefined) return;
    const reason = exitSeenByParent(
      await shutdownChild(child, this.#killRequested ? 'brutal_kill' : slot.spec.shutdown),
    );
    this.#emit({ type: 'child_exited', supervisor: this.name, id: slot.id, reason });
  }

  #onExit(slot: ChildSlot, child: Child, generation: number, exit: ExitReason): void {
    this.#live.delete(child);
    if (slot.child !== child) return; // stopped on purpose: stopSlot reports it
    slot.detach();
    const reason = exitSeenByParent(exit);
    this.#emit({ type: 'child_exited', supervisor: this.name, id: slot.id, reason });
    if (this.#state === 'starting' || this.#state === 'running')
      void this.serialize(() => this.#handleExit(slot, generation, reason));
  }

  async #handleExit(slot: ChildSlot, generation: number, reason: ExitReason): Promise<void> {
    // Stale: the supervisor is going down, or the child was restarted (e.g. by a one_for_all
    // round) or removed since this exit was queued.
    if (this.#state !== 'running') return;
    if (slot.generation !== generation || slot.running || !this.#options.owns(slot)) return;
    if (!shouldRestart(slot.spec.restart, reason)) {
      if (slot.spec.restart === 'temporary' || !this.#options.keepsEndedChildren)
        this.#options.remove(slot);
      return;
    }
    await this.#restart(slot);
  }

  /**
   * One restart per attempt under the strategy: stop the affected children still running (reverse
   * order), start the affected ones again (in order). A start failure is another attempt, counted
   * like any restart, and made as OTP's try_again is: as if the child that failed to start had
   * died. So rest_for_one resumes from that child (those before it, just restarted, stay up) and
   * one_for_all goes round the whole group again.
   */
  async #restart(dead: ChildSlot): Promise<void> {
    let from = dead;
    for (;;) {
      if (this.#state !== 'running') return;
      if (!this.#options.intensity.tryRecord(performance.now())) {
        await this.#escalate();
        return;
      }
      const affected = this.#options.affected(from);
      for (const slot of [...affected].reverse()) {
        await this.stopSlot(slot);
        if (slot.spec.restart === 'temporary') this.#options.remove(slot);
      }
      let failed: ChildSlot | undefined;
      for (const slot of affected) {
        if (this.#state !== 'running') return;
        if (slot.spec.restart === 'temporary' || slot.running) continue;
        try {
          await this.startSlot(slot, 'child_restarted');
        } catch {
          failed = slot;
          break;
        }
      }
      if (failed === undefined) return;
      from = failed;
    }
  }

  /** Gives up: stops every child and exits with ARQ_ERR_RESTART_INTENSITY (see exitSeenByParent). */
  async #escalate(): Promise<void> {
    const { maxRestarts, periodMs } = this.#options.intensity;
    this.#emit({ type: 'intensity_exceeded', supervisor: this.name, maxRestarts, periodMs });
    const error = new SupervisorError(
      'ARQ_ERR_RESTART_INTENSITY',
      `supervisor "${this.name}" exceeded its restart intensity (more than ${maxRestarts} restarts in ${periodMs} ms)`,
    );
    await this.#terminate({ type: 'error', error });
  }

  async #terminate(reason: ExitReason): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    for (const slot of [...this.#options.slots()].reverse()) await this.stopSlot(slot);
    // Instances killed while they were still starting are in no slot: wait for them too.
    await Promise.all([...this.#live].map((child) => child.exited));
    this.#state = 'stopped';
    this.#finish(this.#killRequested ? KILLED_EXIT : reason);
  }

  #finish(reason: ExitReason): void {
    this.#emit({ type: 'supervisor_stopped', supervisor: this.name, reason });
    this.#resolveExited(reason);
  }

  #emit(event: SupervisionEvent): void {
    publishSupervisionEvent(this.#options.onEvent, event);
  }
}

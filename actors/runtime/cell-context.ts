// CellContext and ActorCell are one unit in two files: the cell makes its context and the context
// forwards to the cell. The split is what keeps a behavior's `ctx` to ActorContext's methods, not
// the cell's internals; an interface of the cell's methods here would only restate ActorCell.
import type { ActorCell } from './actor-cell.js';
import type { ActorContext, AskOptions, StopReason, TimerId } from './actor-context.js';
import type { ActorRef } from './actor-ref.js';
import type { Behavior } from './behavior.js';
import type { CellHost } from './cell-host.js';
import { timerDelay } from './option-checks.js';
import type { ReplyTarget } from './remote-envelope.js';
import type { ChildSpawnOptions } from './spawn-options.js';
import type { MonitorId } from './system-message.js';

const NORMAL: StopReason = { type: 'normal' };

/** The ActorContext handed to a behavior: a narrow view of its cell and system. */
export class CellContext implements ActorContext<unknown> {
  readonly #cell: ActorCell;
  readonly #host: CellHost<ActorCell>;

  constructor(cell: ActorCell, host: CellHost<ActorCell>) {
    this.#cell = cell;
    this.#host = host;
  }

  get self(): ActorRef {
    return this.#cell.ref;
  }

  get replyTarget(): ReplyTarget | null {
    return this.#cell.replyTarget;
  }

  tell(ref: ActorRef, message: unknown): void {
    this.#host.tell(this.#cell.ref, ref, message);
  }

  ask<R = unknown>(ref: ActorRef, message: unknown, options?: AskOptions): Promise<R> {
    return this.#host.ask(ref, message, options) as Promise<R>;
  }

  reply(value: unknown): void {
    this.#cell.reply(value);
  }

  replyTo(target: ReplyTarget, value: unknown): void {
    this.#cell.replyTo(target, value);
  }

  setTimeout(ms: number, message: unknown): TimerId {
    return this.#cell.startTimer(timerDelay('ctx.setTimeout delayMs', ms), message, false);
  }

  setInterval(ms: number, message: unknown): TimerId {
    // A zero period would fire every loop iteration; 1 ms is Node's own minimum.
    return this.#cell.startTimer(
      Math.max(1, timerDelay('ctx.setInterval periodMs', ms)),
      message,
      true,
    );
  }

  cancelTimer(id: TimerId): boolean {
    return this.#cell.cancelTimer(id);
  }

  monitor(ref: ActorRef): MonitorId {
    this.#cell.assertAlive();
    return this.#cell.bonds.monitor(ref);
  }

  demonitor(id: MonitorId): boolean {
    return this.#cell.bonds.demonitor(id);
  }

  link(ref: ActorRef): void {
    this.#cell.assertAlive();
    this.#cell.bonds.link(ref);
  }

  unlink(ref: ActorRef): void {
    this.#cell.bonds.unlink(ref);
  }

  trapExits(enabled: boolean): void {
    this.#cell.setTrapExits(enabled);
  }

  spawn<C>(behavior: Behavior<C>, options?: ChildSpawnOptions): ActorRef {
    return this.#cell.spawnChild(behavior as Behavior<never>, options);
  }

  stop(reason: StopReason = NORMAL): void {
    this.#cell.requestStop(reason);
  }
}

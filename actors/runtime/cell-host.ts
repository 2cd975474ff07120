import type { AskOptions } from './actor-context.js';
import type { ActorRef } from './actor-ref.js';
import type { Behavior } from './behavior.js';
import type { ExitReason } from './child-contract.js';
import type { AskOutcome, ReplyTarget } from './remote-envelope.js';
import type { Scheduler } from './scheduler.js';
import type { ChildSpawnOptions } from './spawn-options.js';
import type { DownReason, MonitorId } from './system-message.js';

/**
 * What an actor cell needs from its system: routing of every signal to a local actor or through the
 * transport, ids, and bookkeeping. Implemented by ActorRouter.
 *
 * Generic in the cell it is told about (`died`) so that this interface does not import ActorCell:
 * the cell depends on its host through this contract, and the host (the router) on the cell; with
 * the type imported here the two files, and ActorBonds through them, were one import circle.
 */
export interface CellHost<Cell> {
  readonly scheduler: Scheduler;
  tell(from: ActorRef | null, to: ActorRef, message: unknown): void;
  ask(to: ActorRef, message: unknown, options: AskOptions | undefined): Promise<unknown>;
  reply(target: ReplyTarget, outcome: AskOutcome): void;
  nextMonitorId(): MonitorId;
  monitor(target: ActorRef, watcher: ActorRef, id: MonitorId): void;
  demonitor(target: ActorRef, watcher: ActorRef, id: MonitorId): void;
  notifyDown(watcher: ActorRef, id: MonitorId, from: ActorRef, reason: DownReason): void;
  link(target: ActorRef, from: ActorRef): void;
  unlink(target: ActorRef, from: ActorRef): void;
  exitSignal(to: ActorRef, from: ActorRef, reason: DownReason): void;
  spawn(
    behavior: Behavior<never>,
    options: ChildSpawnOptions | undefined,
    parent: ActorRef,
  ): ActorRef;
  died(cell: Cell, reason: ExitReason): void;
}

import type { ActorRef } from './actor-ref.js';
// ActorContext and Behavior are one unit in two files: an actor's code receives its context, and the
// context spawns more code (`spawn(behavior)`). Each type is defined in terms of the other; the
// imports are type-only both ways, so nothing of it exists at run time, and a third "shared" file
// would only hold the same two declarations.
import type { Behavior } from './behavior.js';
import type { ExitReason } from './child-contract.js';
import type { ReplyTarget } from './remote-envelope.js';
import type { ChildSpawnOptions } from './spawn-options.js';
import type { MonitorId } from './system-message.js';

export type TimerId = number;

export interface AskOptions {
  /** Reject with ARQ_ERR_ASK_TIMEOUT after this long; defaults to the system's askTimeoutMs. */
  readonly timeoutMs?: number;
}

/** How an actor may end itself or be stopped gracefully (`killed` is only for `kill`). */
export type StopReason = Exclude<ExitReason, { readonly type: 'killed' }>;

/** What an actor's callbacks can do; given to `started`, `receive` and `stopped`. */
export interface ActorContext<M = unknown> {
  readonly self: ActorRef;
  /** Fire-and-forget. Throws ARQ_ERR_MAILBOX_FULL when a local target's bounded mailbox is full. */
  tell(ref: ActorRef, message: unknown): void;
  /**
   * Request/reply. Awaiting it inside `receive` keeps this actor busy until the answer comes, so two
   * actors asking each other deadlock until one times out.
   */
  ask<R = unknown>(ref: ActorRef, message: unknown, options?: AskOptions): Promise<R>;
  /** Answers the ask being handled. Throws ARQ_ERR_NOT_ASKED if the current message was a tell. */
  reply(value: unknown): void;
  /** The current ask's reply target, to answer later or from elsewhere with `replyTo`. */
  readonly replyTarget: ReplyTarget | null;
  replyTo(target: ReplyTarget, value: unknown): void;
  /** Puts `message` in this actor's own mailbox after `delayMs`; cancelled when the actor dies. */
  setTimeout(delayMs: number, message: M): TimerId;
  /** Like setTimeout, every `periodMs`; a tick not yet handled is not queued twice. */
  setInterval(periodMs: number, message: M): TimerId;
  /** Cancels a timer; a message it already queued is then not delivered. */
  cancelTimer(id: TimerId): boolean;
  /** Sends this actor a `{type:'down'}` message when `ref` ends (at once with noproc if dead). */
  monitor(ref: ActorRef): MonitorId;
  /** Removes a monitor; its down message, if already queued, is not delivered. */
  demonitor(id: MonitorId): boolean;
  /** Bidirectional: when either ends abnormally, the other dies too unless it traps exits. */
  link(ref: ActorRef): void;
  unlink(ref: ActorRef): void;
  trapExits(enabled: boolean): void;
  /** Spawns an actor in the same system; `link: true` links it to this actor before it starts. */
  spawn<C>(behavior: Behavior<C>, options?: ChildSpawnOptions): ActorRef;
  /** Ends this actor after the current callback returns (default reason `normal`). */
  stop(reason?: StopReason): void;
}

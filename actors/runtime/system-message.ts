import type { ActorRef } from './actor-ref.js';
import type { ExitReason } from './child-contract.js';

/**
 * What a monitor or link reports about another actor: its exit reason, or `noproc` (it was not
 * alive when watched) or `noconnection` (the thread or node holding it became unreachable).
 */
export type DownReason =
  | ExitReason
  | { readonly type: 'noproc' }
  | { readonly type: 'noconnection' };

export type MonitorId = number;

/** A monitored actor ended (Erlang's `{'DOWN', Ref, process, Pid, Reason}`). */
export interface DownMessage {
  readonly type: 'down';
  readonly ref: ActorRef;
  readonly monitor: MonitorId;
  readonly reason: DownReason;
}

/** A linked actor ended and this actor traps exits (Erlang's `{'EXIT', Pid, Reason}`). */
export interface ExitMessage {
  readonly type: 'exit';
  readonly ref: ActorRef;
  readonly reason: DownReason;
}

/** A tell this actor sent to `ref` on another thread was refused: `ref`'s mailbox was full. */
export interface OverflowMessage {
  readonly type: 'overflow';
  readonly ref: ActorRef;
}

/** Messages the runtime itself puts in a mailbox; they are never refused by a mailbox bound. */
export type SystemMessage = DownMessage | ExitMessage | OverflowMessage;

/**
 * Erlang: every reason but `normal` takes non-trapping linked actors down, `shutdown` included
 * (unlike supervision's restart rule, for which `shutdown` counts as normal).
 */
export function propagatesThroughLinks(reason: DownReason): boolean {
  return reason.type !== 'normal';
}

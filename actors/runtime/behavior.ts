// One unit with ActorContext (see the note there): the two types refer to each other.
import type { ActorContext } from './actor-context.js';
import type { ExitReason } from './child-contract.js';
import type { SystemMessage } from './system-message.js';

/**
 * An actor's code. The runtime calls it one message at a time: if a callback returns a Promise, the
 * actor handles nothing else until it settles. A callback that throws or rejects kills the actor
 * with `{type:'error', error}`.
 *
 * - `started` runs before the first message; if it fails, the actor dies and `stopped` is not called.
 * - `stopped` runs when the actor stops itself, is stopped gracefully, or crashed in a callback; not
 *   when it is killed or taken down by a linked actor (Erlang runs no terminate code for those).
 */
export interface Behavior<M = unknown> {
  receive(message: M | SystemMessage, ctx: ActorContext<M>): void | Promise<void>;
  started?(ctx: ActorContext<M>): void | Promise<void>;
  stopped?(ctx: ActorContext<M>, reason: ExitReason): void | Promise<void>;
}

import { ActorBonds } from './actor-bonds.js';
import type { StopReason, TimerId } from './actor-context.js';
import { type ActorRef, addressKey, type ThreadAddress, threadKey } from './actor-ref.js';
import { ActorTimers } from './actor-timers.js';
import type { Behavior } from './behavior.js';
// One unit with CellContext (see the note there): the behavior's narrow view of this cell.
import { CellContext } from './cell-context.js';
import type { CellHost } from './cell-host.js';
import type { ExitReason } from './child-contract.js';
import { type Deferred, deferred, isPromiseLike } from './deferred.js';
import { ActorError } from './errors.js';
import { Mailbox, type MailboxEntry } from './mailbox.js';
import type { AskOutcome, ReplyTarget } from './remote-envelope.js';
import type { ChildSpawnOptions, ResolvedSpawnOptions } from './spawn-options.js';
import { type DownReason, propagatesThroughLinks, type SystemMessage } from './system-message.js';

type State = 'new' | 'starting' | 'running' | 'terminating' | 'dead';

const NO_PROC: DownReason = { type: 'noproc' };
const NO_CONNECTION: DownReason = { type: 'noconnection' };

function replyKey(target: ReplyTarget): string {
  return `${threadKey(target.to)}#${target.correlationId}`;
}

/** The reason an actor dies with when a linked actor's abnormal exit reaches it. */
function linkedExit(from: ActorRef, reason: DownReason): ExitReason {
  const message = `linked actor ${addressKey(from)} exited (${reason.type})`;
  return {
    type: 'error',
    error: new ActorError('ARQ_ERR_LINKED_EXIT', message, { cause: reason }),
  };
}

/**
 * One actor: its behavior, mailbox, timers, monitors and links, and its life cycle
 * new -> starting -> running -> terminating -> dead. The scheduler calls runTurn; everything else
 * is called by other actors, the system or the transport.
 *
 * Deaths caused from outside (kill, a linked exit) take effect at once, even mid-await: the pending
 * callback's result is then ignored. If they hit while this actor's own callback is on the stack, they
 * wait for that call to return (`#pendingKill`) so actor code never runs on a dead actor's state.
 */
export class ActorCell {
  readonly #ref: ActorRef;
  readonly #behavior: Behavior<never>;
  readonly #host: CellHost<ActorCell>;
  readonly #mailbox: Mailbox;
  readonly #ctx: CellContext;
  readonly #timers: ActorTimers;
  readonly #bonds: ActorBonds;
  readonly #openAsks = new Map<string, ReplyTarget>();
  #state: State = 'new';
  #busy = false;
  #inCall = false;
  #pendingKill: ExitReason | null = null;
  #stopRequest: StopReason | null = null;
  #trapExits: boolean;
  #current: ReplyTarget | null = null;
  #reason: ExitReason | null = null;
  #started: Deferred<void> | null = null;
  #exited: Deferred<ExitReason> | null = null;

  constructor(
    ref: ActorRef,
    behavior: Behavior<never>,
    options: ResolvedSpawnOptions,
    host: CellHost<ActorCell>,
  ) {
    this.#ref = ref;
    this.#behavior = behavior;
    this.#host = host;
    this.#mailbox = new Mailbox(options.mailboxCapacity);
    this.#trapExits = options.trapExits;
    this.#ctx = new CellContext(this, host);
    this.#bonds = new ActorBonds(ref, host);
    this.#timers = new ActorTimers((timer, message) =>
      this.#push({ type: 'timer', message, timer }),
    );
  }

  get ref(): ActorRef {
    return this.#ref;
  }

  /** Monitors and links; the system's router adds and removes the other side's halves. */
  get bonds(): ActorBonds {
    return this.#bonds;
  }

  get alive(): boolean {
    return this.#state !== 'dead';
  }

  get runnable(): boolean {
    if (this.#busy) return false;
    if (this.#state === 'new') return true;
    return this.#state === 'running' && (this.#stopRequest !== null || this.#mailbox.length > 0);
  }

  get replyTarget(): ReplyTarget | null {
    return this.#current;
  }

  runTurn(limit: number): number {
    if (!this.runnable) return 0;
    if (this.#state === 'new') {
      this.#start();
      return 1;
    }
    let done = 0;
    while (done < limit && this.#state === 'running' && !this.#busy && this.#stopRequest === null) {
      const entry = this.#mailbox.shift();
      if (entry === undefined) break;
      done++;
      this.#deliver(entry);
    }
    if (this.#state === 'running' && !this.#busy && this.#stopRequest !== null) {
      this.#terminate(this.#stopRequest);
      done++;
    }
    return done;
  }

  /** Queues a tell or ask; false when the mailbox bound refuses it. A dead actor drops it. */
  offer(entry: MailboxEntry): boolean {
    if (this.#state === 'dead') {
      if (entry.type === 'ask') this.#host.reply(entry.reply, this.#noProcOutcome());
      return true;
    }
    if (!this.#mailbox.offer(entry)) return false;
    this.#host.scheduler.wake(this);
    return true;
  }

  deliverSystem(message: SystemMessage): void {
    this.#push({ type: 'system', message });
  }

  whenStarted(): Promise<void> {
    if (this.#started === null) {
      this.#started = deferred();
      this.#started.promise.catch(() => {}); // observed by whoever asked; never unhandled
      if (this.#state === 'running' || this.#state === 'terminating') this.#started.resolve();
      if (this.#state === 'dead') this.#started.reject(this.#startFailure(this.#reason));
    }
    return this.#started.promise;
  }

  exited(): Promise<ExitReason> {
    if (this.#reason !== null) return Promise.resolve(this.#reason);
    this.#exited ??= deferred();
    return this.#exited.promise;
  }

  /** Graceful stop: after the current callback settles, `stopped` runs, then the actor dies. */
  requestStop(reason: StopReason): void {
    if (this.#state === 'dead' || this.#state === 'terminating') return;
    this.#stopRequest ??= reason;
    this.#host.scheduler.wake(this);
  }

  /** Immediate death without `stopped` (Erlang's exit(Pid, kill) and linked exits). */
  kill(reason: ExitReason): void {
    if (this.#state === 'dead') return;
    if (this.#inCall) this.#pendingKill ??= reason;
    else this.#finalize(reason);
  }

  /** A linked actor ended (or could not be linked). Erlang semantics; see actor-system.ts. */
  exitSignal(from: ActorRef, reason: DownReason): void {
    if (this.#state === 'dead' || !this.#bonds.removeLink(from)) return;
    if (this.#trapExits) this.deliverSystem({ type: 'exit', ref: from, reason });
    else if (propagatesThroughLinks(reason) && this.#state !== 'terminating') {
      this.kill(linkedExit(from, reason));
    }
  }

  /** `peer` is unreachable: monitors and links on its actors fire with `noconnection`. */
  peerLost(peer: ThreadAddress): void {
    const { monitors, links } = this.#bonds.onPeer(peer);
    for (const [monitor, ref] of monitors) {
      this.deliverSystem({ type: 'down', ref, monitor, reason: NO_CONNECTION });
    }
    for (const linked of links) this.exitSignal(linked, NO_CONNECTION);
  }

  // --- operations behind ActorContext ---

  setTrapExits(enabled: boolean): void {
    this.#trapExits = enabled;
  }

  assertAlive(): void {
    if (this.#state === 'dead') {
      throw new ActorError('ARQ_ERR_NO_PROC', `actor ${addressKey(this.#ref)} is dead`);
    }
  }

  startTimer(ms: number, message: unknown, repeat: boolean): TimerId {
    this.assertAlive();
    return repeat ? this.#timers.every(ms, message) : this.#timers.after(ms, message);
  }

  cancelTimer(id: TimerId): boolean {
    return this.#timers.cancel(id);
  }

  reply(value: unknown): void {
    if (this.#current === null) {
      throw new ActorError(
        'ARQ_ERR_NOT_ASKED',
        `actor ${addressKey(this.#ref)}: no ask to reply to`,
      );
    }
    this.replyTo(this.#current, value);
  }

  replyTo(target: ReplyTarget, value: unknown): void {
    this.#openAsks.delete(replyKey(target));
    this.#host.reply(target, { ok: true, value });
  }

  spawnChild(behavior: Behavior<never>, options: ChildSpawnOptions | undefined): ActorRef {
    this.assertAlive();
    return this.#host.spawn(behavior, options, this.#ref);
  }

  // --- life cycle ---

  #push(entry: MailboxEntry): void {
    if (this.#state === 'dead') return;
    this.#mailbox.offer(entry);
    this.#host.scheduler.wake(this);
  }

  #start(): void {
    this.#state = 'starting';
    const started = this.#behavior.started;
    if (started === undefined) {
      this.#running();
      return;
    }
    this.#invoke(
      () => started.call(this.#behavior, this.#ctx),
      (failed, error) => (failed ? this.#finalize({ type: 'error', error }) : this.#running()),
    );
  }

  #running(): void {
    this.#state = 'running';
    this.#started?.resolve();
  }

  #deliver(entry: MailboxEntry): void {
    const message: unknown = entry.message;
    if (entry.type === 'ask') {
      this.#current = entry.reply;
      this.#openAsks.set(replyKey(entry.reply), entry.reply);
    } else if (entry.type === 'timer') {
      if (!this.#timers.claim(entry.timer)) return;
    } else if (entry.type === 'system' && entry.message.type === 'down') {
      // Demonitored before delivery: the down message is flushed, as with Erlang's [flush].
      if (!this.#bonds.takeDown(entry.message.monitor)) return;
    }
    this.#invoke(
      () => this.#behavior.receive(message as never, this.#ctx),
      (failed, error) => {
        this.#current = null;
        if (failed) this.#terminate({ type: 'error', error });
      },
    );
  }

  /** Runs one behavior callback; `then` runs when it has returned or settled, unless the actor died. */
  #invoke(call: () => unknown, then: (failed: boolean, error: unknown) => void): void {
    let result: unknown;
    let failed = false;
    let error: unknown;
    this.#inCall = true;
    try {
      result = call();
    } catch (e) {
      failed = true;
      error = e;
    }
    this.#inCall = false;
    if (this.#pendingKill !== null) {
      this.#finalize(this.#pendingKill);
      return;
    }
    if (!failed && isPromiseLike(result)) {
      this.#busy = true;
      result.then(
        () => this.#settled(then, false, undefined),
        (e: unknown) => this.#settled(then, true, e),
      );
      return;
    }
    then(failed, error);
  }

  #settled(then: (failed: boolean, error: unknown) => void, failed: boolean, error: unknown): void {
    if (this.#state === 'dead') return; // killed while awaiting: the result no longer matters
    this.#busy = false;
    then(failed, error);
    this.#host.scheduler.resume(this);
  }

  #terminate(reason: ExitReason): void {
    this.#state = 'terminating';
    this.#timers.clear();
    const stopped = this.#behavior.stopped;
    if (stopped === undefined) {
      this.#finalize(reason);
      return;
    }
    this.#invoke(
      () => stopped.call(this.#behavior, this.#ctx, reason),
      (failed, error) => this.#finalize(failed ? { type: 'error', error } : reason),
    );
  }

  #finalize(reason: ExitReason): void {
    if (this.#state === 'dead') return;
    const wasStarting = this.#state === 'new' || this.#state === 'starting';
    this.#state = 'dead';
    this.#reason = reason;
    this.#busy = false;
    this.#pendingKill = null;
    this.#timers.clear();
    this.#host.died(this, reason);
    const failure: AskOutcome = { ok: false, code: 'ARQ_ERR_NO_PROC', reason };
    for (let e = this.#mailbox.shift(); e !== undefined; e = this.#mailbox.shift()) {
      if (e.type === 'ask') this.#host.reply(e.reply, failure);
    }
    for (const target of this.#openAsks.values()) this.#host.reply(target, failure);
    this.#openAsks.clear();
    this.#bonds.release(reason);
    if (wasStarting) this.#started?.reject(this.#startFailure(reason));
    this.#exited?.resolve(reason);
  }

  #startFailure(reason: ExitReason | null): ActorError {
    const why = reason?.type ?? 'unknown';
    const cause = reason?.type === 'error' ? reason.error : reason;
    return new ActorError(
      'ARQ_ERR_START_FAILED',
      `actor ${addressKey(this.#ref)} did not start (${why})`,
      {
        cause,
      },
    );
  }

  #noProcOutcome(): AskOutcome {
    return { ok: false, code: 'ARQ_ERR_NO_PROC', reason: NO_PROC };
  }
}

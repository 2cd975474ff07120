import { ActorCell } from './actor-cell.js';
import type { AskOptions } from './actor-context.js';
import {
  type ActorAddress,
  type ActorRef,
  actorRef,
  addressKey,
  SYSTEM_ACTOR_ID,
  type ThreadAddress,
} from './actor-ref.js';
import { AskRegistry } from './ask-registry.js';
import type { Behavior } from './behavior.js';
import type { CellHost } from './cell-host.js';
import { ActorError } from './errors.js';
import { NameRegistry } from './name-registry.js';
import { timeoutMs as checkTimeout } from './option-checks.js';
import { portableReason } from './portable-error.js';
import type {
  AskOutcome,
  RemoteEnvelope,
  RemoteTransport,
  ReplyTarget,
} from './remote-envelope.js';
import type { Scheduler } from './scheduler.js';
import {
  type ChildSpawnOptions,
  type ResolvedSpawnOptions,
  resolveSpawnOptions,
} from './spawn-options.js';
import type { DownReason, MonitorId } from './system-message.js';

const NO_PROC: DownReason = { type: 'noproc' };
const NO_CONNECTION: DownReason = { type: 'noconnection' };

export interface RouterConfig {
  readonly node: string;
  readonly thread: number;
  readonly askTimeoutMs: number;
  readonly transport: RemoteTransport | null;
  readonly scheduler: Scheduler;
}

/**
 * The inside of an ActorSystem: the table of live actors and registered names, pending asks, and
 * the routing of every signal to a local actor or, through the transport, to another thread/node.
 * Signals to unknown local actors behave as in Erlang: tells vanish, asks fail with NO_PROC, monitors
 * and links answer `noproc`. An unreachable peer makes monitors and links answer `noconnection`.
 */
export class ActorRouter implements CellHost<ActorCell> {
  readonly scheduler: Scheduler;
  readonly #node: string;
  readonly #thread: number;
  readonly #address: ActorAddress;
  readonly #askTimeoutMs: number;
  readonly #transport: RemoteTransport | null;
  readonly #cells = new Map<number, ActorCell>();
  readonly #names = new NameRegistry<ActorCell>();
  readonly #asks = new AskRegistry();
  #nextActorId = SYSTEM_ACTOR_ID + 1;
  #nextMonitorId = 1;
  #refusedRemoteTells = 0;
  #closed = false;

  constructor(config: RouterConfig) {
    this.scheduler = config.scheduler;
    this.#node = config.node;
    this.#thread = config.thread;
    this.#address = Object.freeze({
      node: config.node,
      thread: config.thread,
      id: SYSTEM_ACTOR_ID,
    });
    this.#askTimeoutMs = config.askTimeoutMs;
    this.#transport = config.transport;
  }

  get address(): ActorAddress {
    return this.#address;
  }

  get actorCount(): number {
    return this.#cells.size;
  }

  get pendingAsks(): number {
    return this.#asks.size;
  }

  /** Tells from outside any actor, sent here from another thread and refused by a full mailbox. */
  get refusedRemoteTells(): number {
    return this.#refusedRemoteTells;
  }

  isLocal(at: ThreadAddress): boolean {
    return at.thread === this.#thread && at.node === this.#node;
  }

  cell(ref: ActorAddress): ActorCell | undefined {
    return this.isLocal(ref) ? this.#cells.get(ref.id) : undefined;
  }

  cells(): ActorCell[] {
    return [...this.#cells.values()];
  }

  /** Registered names (the system's register/unregister/whereis work on it directly). */
  get names(): NameRegistry<ActorCell> {
    return this.#names;
  }

  spawnCell(
    behavior: Behavior<never>,
    options: ResolvedSpawnOptions,
    parent: ActorRef | null,
  ): ActorCell {
    if (this.#closed)
      throw new ActorError('ARQ_ERR_SYSTEM_STOPPED', 'the actor system is shut down');
    if (typeof (behavior as { receive?: unknown } | null)?.receive !== 'function') {
      throw new ActorError('ARQ_ERR_INVALID_ARGUMENT', 'behavior must have a receive method');
    }
    if (options.name !== null) this.#names.assertFree(options.name);
    const ref = actorRef(this.#node, this.#thread, this.#nextActorId++, options.name);
    const cell = new ActorCell(ref, behavior, options, this);
    this.#cells.set(ref.id, cell);
    if (options.name !== null) this.#names.register(options.name, cell, addressKey(ref));
    const parentCell = parent === null ? undefined : this.cell(parent);
    if (options.link && parentCell !== undefined) {
      // Linked before the child's first turn, so even a failing `started` reaches the parent.
      cell.bonds.addLink(parentCell.ref);
      parentCell.bonds.addLink(ref);
    }
    this.scheduler.wake(cell);
    return cell;
  }

  /** Refuses new actors and new asks from now on. */
  close(): void {
    this.#closed = true;
  }

  failPendingAsks(): void {
    this.#asks.rejectAll(new ActorError('ARQ_ERR_SYSTEM_STOPPED', 'the actor system is shut down'));
  }

  // --- CellHost ---

  spawn(
    behavior: Behavior<never>,
    options: ChildSpawnOptions | undefined,
    parent: ActorRef,
  ): ActorRef {
    return this.spawnCell(behavior, resolveSpawnOptions(options), parent).ref;
  }

  died(cell: ActorCell): void {
    this.#cells.delete(cell.ref.id);
    this.#names.release(cell);
  }

  nextMonitorId(): MonitorId {
    return this.#nextMonitorId++;
  }

  tell(from: ActorRef | null, to: ActorRef, message: unknown): void {
    if (!this.isLocal(to)) {
      this.#send(to, { type: 'tell', to, from, message });
      return;
    }
    const cell = this.#cells.get(to.id);
    if (cell !== undefined && !cell.offer({ type: 'tell', message })) {
      throw new ActorError('ARQ_ERR_MAILBOX_FULL', `mailbox of actor ${addressKey(to)} is full`);
    }
  }

  ask(to: ActorRef, message: unknown, options: AskOptions | undefined): Promise<unknown> {
    let timeoutMs: number;
    try {
      timeoutMs = checkTimeout('options.timeoutMs', options?.timeoutMs, this.#askTimeoutMs);
      if (this.#closed)
        throw new ActorError('ARQ_ERR_SYSTEM_STOPPED', 'the actor system is shut down');
    } catch (error) {
      return Promise.reject(error);
    }
    const { correlationId, reply } = this.#asks.open(to, timeoutMs);
    if (this.isLocal(to)) {
      const cell = this.#cells.get(to.id);
      const replyTarget: ReplyTarget = { to: this.#address, correlationId };
      if (cell === undefined) this.#asks.settle(correlationId, noProc(NO_PROC));
      else if (!cell.offer({ type: 'ask', message, reply: replyTarget })) {
        this.#asks.settle(correlationId, { ok: false, code: 'ARQ_ERR_MAILBOX_FULL', reason: null });
      }
    } else {
      try {
        this.#send(to, { type: 'ask', to, replyTo: this.#address, correlationId, message });
      } catch (error) {
        this.#asks.fail(correlationId, error as ActorError);
      }
    }
    return reply;
  }

  reply(target: ReplyTarget, outcome: AskOutcome): void {
    if (this.isLocal(target.to)) {
      this.#asks.settle(target.correlationId, outcome);
      return;
    }
    const portable: AskOutcome =
      !outcome.ok && outcome.reason !== null
        ? { ...outcome, reason: portableReason(outcome.reason) }
        : outcome;
    const envelope: RemoteEnvelope = {
      type: 'reply',
      to: target.to,
      correlationId: target.correlationId,
      outcome: portable,
    };
    try {
      this.#send(target.to, envelope);
    } catch (error) {
      // The replier must learn that its value cannot travel; an unreachable asker times out alone.
      if (error instanceof ActorError && error.code === 'ARQ_ERR_UNSERIALIZABLE') throw error;
    }
  }

  monitor(target: ActorRef, watcher: ActorRef, id: MonitorId): void {
    if (this.isLocal(target)) {
      const cell = this.#cells.get(target.id);
      if (cell === undefined) this.notifyDown(watcher, id, target, NO_PROC);
      else cell.bonds.addWatcher(watcher, id);
    } else if (
      !this.#trySend(target, { type: 'monitor', to: target, from: watcher, monitor: id })
    ) {
      this.notifyDown(watcher, id, target, NO_CONNECTION);
    }
  }

  demonitor(target: ActorRef, watcher: ActorRef, id: MonitorId): void {
    if (this.isLocal(target)) this.#cells.get(target.id)?.bonds.removeWatcher(watcher, id);
    else this.#trySend(target, { type: 'demonitor', to: target, from: watcher, monitor: id });
  }

  notifyDown(watcher: ActorRef, id: MonitorId, from: ActorRef, reason: DownReason): void {
    if (this.isLocal(watcher)) {
      this.#cells.get(watcher.id)?.deliverSystem({ type: 'down', ref: from, monitor: id, reason });
    } else {
      const envelope: RemoteEnvelope = {
        type: 'down',
        to: watcher,
        from,
        monitor: id,
        reason: portableReason(reason),
      };
      this.#trySend(watcher, envelope);
    }
  }

  link(target: ActorRef, from: ActorRef): void {
    if (this.isLocal(target)) {
      const cell = this.#cells.get(target.id);
      if (cell === undefined) this.exitSignal(from, target, NO_PROC);
      else cell.bonds.addLink(from);
    } else if (!this.#trySend(target, { type: 'link', to: target, from })) {
      this.exitSignal(from, target, NO_CONNECTION);
    }
  }

  unlink(target: ActorRef, from: ActorRef): void {
    if (this.isLocal(target)) this.#cells.get(target.id)?.bonds.removeLink(from);
    else this.#trySend(target, { type: 'unlink', to: target, from });
  }

  exitSignal(to: ActorRef, from: ActorRef, reason: DownReason): void {
    if (this.isLocal(to)) this.#cells.get(to.id)?.exitSignal(from, reason);
    else this.#trySend(to, { type: 'exit', to, from, reason: portableReason(reason) });
  }

  // --- remote side ---

  deliverRemote(envelope: RemoteEnvelope): void {
    const { to } = envelope;
    if (!this.isLocal(to)) {
      throw new ActorError(
        'ARQ_ERR_MISROUTED',
        `envelope for ${addressKey(to)} delivered to ${this.#node}/${this.#thread}`,
      );
    }
    const cell = this.#cells.get(to.id);
    switch (envelope.type) {
      case 'tell':
        if (cell === undefined || cell.offer({ type: 'tell', message: envelope.message })) return;
        if (envelope.from === null) this.#refusedRemoteTells++;
        else this.#trySend(envelope.from, { type: 'overflow', to: envelope.from, from: cell.ref });
        return;
      case 'ask': {
        const reply: ReplyTarget = { to: envelope.replyTo, correlationId: envelope.correlationId };
        if (cell === undefined) this.reply(reply, noProc(NO_PROC));
        else if (!cell.offer({ type: 'ask', message: envelope.message, reply })) {
          this.reply(reply, { ok: false, code: 'ARQ_ERR_MAILBOX_FULL', reason: null });
        }
        return;
      }
      case 'reply':
        this.#asks.settle(envelope.correlationId, envelope.outcome);
        return;
      case 'monitor':
        if (cell === undefined) this.notifyDown(envelope.from, envelope.monitor, to, NO_PROC);
        else cell.bonds.addWatcher(envelope.from, envelope.monitor);
        return;
      case 'demonitor':
        cell?.bonds.removeWatcher(envelope.from, envelope.monitor);
        return;
      case 'down':
        cell?.deliverSystem({
          type: 'down',
          ref: envelope.from,
          monitor: envelope.monitor,
          reason: envelope.reason,
        });
        return;
      case 'link':
        if (cell === undefined) this.exitSignal(envelope.from, to, NO_PROC);
        else cell.bonds.addLink(envelope.from);
        return;
      case 'unlink':
        cell?.bonds.removeLink(envelope.from);
        return;
      case 'exit':
        cell?.exitSignal(envelope.from, envelope.reason);
        return;
      case 'overflow':
        cell?.deliverSystem({ type: 'overflow', ref: envelope.from });
        return;
    }
  }

  remoteDown(peer: ThreadAddress): void {
    if (this.isLocal(peer)) return;
    for (const cell of this.cells()) cell.peerLost(peer);
    this.#asks.peerLost(peer);
  }

  #send(target: ActorAddress, envelope: RemoteEnvelope): void {
    if (this.#transport === null) {
      throw new ActorError(
        'ARQ_ERR_NO_TRANSPORT',
        `actor ${addressKey(target)} is on another thread and this system has no transport`,
      );
    }
    try {
      this.#transport.send(target, envelope);
    } catch (error) {
      if (error instanceof ActorError) throw error;
      throw new ActorError('ARQ_ERR_NO_ROUTE', `cannot reach ${addressKey(target)}`, {
        cause: error,
      });
    }
  }

  /** Sends a signal whose loss the peer notices by itself (its own `noconnection`). */
  #trySend(target: ActorAddress, envelope: RemoteEnvelope): boolean {
    if (this.#transport === null) return false;
    try {
      this.#transport.send(target, envelope);
      return true;
    } catch {
      return false;
    }
  }
}

function noProc(reason: DownReason): AskOutcome {
  return { ok: false, code: 'ARQ_ERR_NO_PROC', reason };
}

import {
  type ActorRef,
  addressKey,
  sameActor,
  sameThread,
  type ThreadAddress,
  threadKey,
} from './actor-ref.js';
import type { CellHost } from './cell-host.js';
import type { DownReason, MonitorId } from './system-message.js';

/** The signals bonds send through the host; never `died`, so the cell's type does not matter. */
type BondsHost = Pick<
  CellHost<unknown>,
  'nextMonitorId' | 'monitor' | 'demonitor' | 'link' | 'unlink' | 'notifyDown' | 'exitSignal'
>;

interface Watcher {
  readonly watcher: ActorRef;
  readonly id: MonitorId;
}

/**
 * One actor's relations to others: the monitors it holds, the monitors held on it (watchers), and
 * its links (kept on both sides, as in Erlang). When the actor dies, `release` notifies watchers and
 * linked actors and withdraws its own monitors so their targets forget it.
 */
export class ActorBonds {
  readonly #self: ActorRef;
  readonly #host: BondsHost;
  readonly #monitors = new Map<MonitorId, ActorRef>();
  readonly #watchers = new Map<string, Watcher>();
  readonly #links = new Map<string, ActorRef>();

  constructor(self: ActorRef, host: BondsHost) {
    this.#self = self;
    this.#host = host;
  }

  monitor(target: ActorRef): MonitorId {
    const id = this.#host.nextMonitorId();
    this.#monitors.set(id, target);
    this.#host.monitor(target, this.#self, id);
    return id;
  }

  demonitor(id: MonitorId): boolean {
    const target = this.#monitors.get(id);
    if (target === undefined) return false;
    this.#monitors.delete(id);
    this.#host.demonitor(target, this.#self, id);
    return true;
  }

  /** At delivery of a down message: true if the monitor is still held (it is then spent). */
  takeDown(id: MonitorId): boolean {
    return this.#monitors.delete(id);
  }

  addWatcher(watcher: ActorRef, id: MonitorId): void {
    this.#watchers.set(`${threadKey(watcher)}#${id}`, { watcher, id });
  }

  removeWatcher(watcher: ActorRef, id: MonitorId): void {
    this.#watchers.delete(`${threadKey(watcher)}#${id}`);
  }

  link(target: ActorRef): void {
    if (sameActor(target, this.#self) || this.#links.has(addressKey(target))) return;
    this.#links.set(addressKey(target), target);
    this.#host.link(target, this.#self);
  }

  unlink(target: ActorRef): void {
    if (this.#links.delete(addressKey(target))) this.#host.unlink(target, this.#self);
  }

  /** The other side's half of a link. */
  addLink(from: ActorRef): void {
    this.#links.set(addressKey(from), from);
  }

  /** Drops a link; false if there was none (an exit signal from it is then ignored). */
  removeLink(from: ActorRef): boolean {
    return this.#links.delete(addressKey(from));
  }

  /**
   * `peer` is unreachable: forgets its watchers and returns this actor's monitors and links on it,
   * which the caller fires with `noconnection`.
   */
  onPeer(peer: ThreadAddress): { monitors: [MonitorId, ActorRef][]; links: ActorRef[] } {
    for (const [key, w] of this.#watchers) {
      if (sameThread(w.watcher, peer)) this.#watchers.delete(key);
    }
    return {
      monitors: [...this.#monitors].filter(([, target]) => sameThread(target, peer)),
      links: [...this.#links.values()].filter((linked) => sameThread(linked, peer)),
    };
  }

  release(reason: DownReason): void {
    for (const [id, target] of this.#monitors) this.#host.demonitor(target, this.#self, id);
    this.#monitors.clear();
    const watchers = [...this.#watchers.values()];
    this.#watchers.clear();
    for (const w of watchers) this.#host.notifyDown(w.watcher, w.id, this.#self, reason);
    const links = [...this.#links.values()];
    this.#links.clear();
    for (const linked of links) this.#host.exitSignal(linked, this.#self, reason);
  }
}

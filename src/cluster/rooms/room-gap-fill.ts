import type { HistoryAnswer, HistoryEntry, HistoryQuery } from '../../../actors/index.js';
import type { ShardDelivery } from '../../shard/index.js';
import { asError, type ClusterLog } from '../base/index.js';
import type { RoomRouteCounters } from './cluster-rooms-event.js';

/** Reads a page of a room's history from its owner (ClusterRooms.history: routed like a join). */
export type HistoryFetch = (
  roomKey: string,
  query: HistoryQuery,
  done: (error: Error | null, answer: HistoryAnswer | null) => void,
) => void;

export interface RoomGapFillOptions {
  readonly fetch: HistoryFetch;
  /** Hands a delivery on to the edge, in order (FanInBatcher.push). */
  readonly deliver: (d: ShardDelivery, transient: boolean) => void;
  /** Hands what the batcher holds to the edge now (before a reply lets a client act). */
  readonly flush: () => void;
  readonly log: ClusterLog;
  readonly counters: RoomRouteCounters;
  /** Fetches tried per gap before it is given up (the owner unreachable, or moving). */
  readonly attempts?: number;
  readonly retryMs?: number;
  /** Items (deliveries and callbacks) one room may hold behind a fill; past it the gap is given up. */
  readonly maxHeld?: number;
}

/** A room answered a join: its position, and whether the joiner gets a replay of its own. */
export interface JoinedAt {
  readonly epoch: string;
  readonly offset: number;
  /** A restore join with `since`: the room replays what lies after it to each restored member. */
  readonly replayed: boolean;
  /** Local members of the room on this node other than the joiner (they may have missed some). */
  readonly members: number;
}

/** Offsets the history request asks for per page: the owner's decoder allows 1..1000. */
const FILL_PAGE = 1000;
const DEFAULT_ATTEMPTS = 4;
const DEFAULT_RETRY_MS = 250;
const DEFAULT_MAX_HELD = 10_000;

type Held =
  | { readonly type: 'delivery'; readonly d: ShardDelivery; readonly remote: boolean }
  | { readonly type: 'run'; readonly run: () => void };

interface Fill {
  /** The last offset the fill must bring: everything up to it is missing here. */
  readonly target: number;
  readonly held: Held[];
  attempt: number;
  timer: ReturnType<typeof setTimeout> | null;
}

interface Track {
  epoch: string;
  /** The last offset handed on for this room. */
  offset: number;
  /** The position was last set by a remote owner's message (the room may have just moved here). */
  remote: boolean;
  fill: Fill | null;
}

/**
 * The order of a room's messages on a node that is not (or was not) its owner. A remote room's
 * fan-out crosses core NATS, which keeps nothing: a message published while this node's
 * subscriptions were coming back (nats-server restarted), or by an owner that died before its
 * fan-out, never arrives. Offsets are contiguous within an epoch, so a message at N+2 after N
 * (or a join answered at N+2) says N+1 is missing: the room's history after N is fetched from the
 * owner and handed on first, in order; meanwhile the room's later messages and the callbacks that
 * must follow them (join, leave and publish answers) are held, then run in order. A message at or
 * below the last offset (an old owner's late fan-out after a move) is a duplicate and dropped. A
 * fill that cannot be made (the owner does not answer, or no longer has the messages, or the
 * epoch changed) is given up: the gap is logged and counted, and the room goes on from what came.
 *
 * Rooms owned here are tracked only while they have a track from a remote owner (the room moved
 * here): their own deliveries are never lost, and a shard restart's restore replays to each
 * member itself.
 */
export class RoomGapFill {
  readonly #o: RoomGapFillOptions;
  readonly #tracks = new Map<string, Track>();
  readonly #attempts: number;
  readonly #retryMs: number;
  readonly #maxHeld: number;
  #closed = false;

  constructor(options: RoomGapFillOptions) {
    this.#o = options;
    this.#attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    this.#retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.#maxHeld = options.maxHeld ?? DEFAULT_MAX_HELD;
  }

  /** Rooms tracked. */
  get size(): number {
    return this.#tracks.size;
  }

  /** Rooms whose messages wait for a fill right now. */
  get filling(): number {
    let n = 0;
    for (const track of this.#tracks.values()) if (track.fill !== null) n++;
    return n;
  }

  /** The last offset handed on for `roomKey` (tests, stats), or null when it is not tracked. */
  position(roomKey: string): { readonly epoch: string; readonly offset: number } | null {
    const track = this.#tracks.get(roomKey);
    return track === undefined ? null : { epoch: track.epoch, offset: track.offset };
  }

  /** A remote owner's fan-out message. */
  remote(d: ShardDelivery): void {
    const track = this.#tracks.get(d.roomKey);
    if (track === undefined) {
      if (this.#closed) return this.#o.deliver(d, false);
      this.#tracks.set(d.roomKey, { epoch: d.epoch, offset: d.offset, remote: true, fill: null });
      return this.#o.deliver(d, false);
    }
    if (track.fill !== null)
      return this.#hold(d.roomKey, track, { type: 'delivery', d, remote: true });
    this.#accept(d.roomKey, track, d, false, true);
  }

  /**
   * A replay for one local joiner (join with `since`): no part of the room's order here, but it
   * follows the join's answer, which a fill may hold.
   */
  direct(d: ShardDelivery, transient: boolean): void {
    const track = this.#tracks.size === 0 ? undefined : this.#tracks.get(d.roomKey);
    if (track?.fill == null) return this.#o.deliver(d, transient);
    const kept = transient ? { ...d, body: d.body.slice() } : d;
    this.#hold(d.roomKey, track, { type: 'run', run: () => this.#o.deliver(kept, false) });
  }

  /** A delivery of this node's own shards (`transient`: its body is valid only in this call). */
  local(d: ShardDelivery, transient: boolean): void {
    const track = this.#tracks.size === 0 ? undefined : this.#tracks.get(d.roomKey);
    if (track === undefined) return this.#o.deliver(d, transient);
    if (track.fill !== null) {
      const kept = transient ? { ...d, body: d.body.slice() } : d;
      return this.#hold(d.roomKey, track, { type: 'delivery', d: kept, remote: false });
    }
    this.#accept(d.roomKey, track, d, transient, false);
  }

  /**
   * A join of `roomKey` was answered at `at`; `run` finishes it (the joiner subscribes to the
   * room's topic), after what the room holds. `remote`: the owner is another node (a track starts
   * here); a local answer only matters for a room that moved here.
   */
  joined(roomKey: string, at: JoinedAt, remote: boolean, run: () => void): void {
    let track = this.#tracks.get(roomKey);
    if (track === undefined) {
      if (remote && !this.#closed) {
        track = { epoch: at.epoch, offset: at.offset, remote: true, fill: null };
        this.#tracks.set(roomKey, track);
      }
      return this.#run(run);
    }
    if (track.fill !== null) {
      // What the fill brings and what is held come first; the position is checked in turn.
      return this.#hold(roomKey, track, {
        type: 'run',
        run: () => this.joined(roomKey, at, remote, run),
      });
    }
    if (at.epoch !== track.epoch) {
      this.#moveTo(track, at.epoch, at.offset, remote);
      return this.#run(run);
    }
    if (at.offset <= track.offset) return this.#run(run);
    // The room is past what reached this node. Nobody here to have missed it (the first joiner),
    // or each restored member gets its own replay: take the room's position.
    const fill = (remote || track.remote) && !at.replayed && at.members > 0;
    if (!fill) {
      this.#moveTo(track, at.epoch, at.offset, remote);
      return this.#run(run);
    }
    this.#startFill(roomKey, track, at.offset, { type: 'run', run });
  }

  /** Runs `run` after the messages `roomKey` holds (a publish or leave answer). */
  after(roomKey: string, run: () => void): void {
    const track = this.#tracks.size === 0 ? undefined : this.#tracks.get(roomKey);
    if (track?.fill != null) return this.#hold(roomKey, track, { type: 'run', run });
    this.#run(run);
  }

  /** The room has no local member and nothing in flight here any more. */
  forget(roomKey: string): void {
    const track = this.#tracks.get(roomKey);
    if (track === undefined) return;
    this.#tracks.delete(roomKey);
    this.#release(track);
  }

  /** Stops: what is held goes on unchecked (every callback runs once). */
  close(): void {
    this.#closed = true;
    for (const track of [...this.#tracks.values()]) this.#release(track);
    this.#tracks.clear();
  }

  /** Each tracked remote room asks its owner for its position; a gap found is filled. */
  check(): void {
    for (const [roomKey, track] of [...this.#tracks]) {
      if (track.fill !== null || !track.remote) continue;
      const { epoch, offset } = track;
      this.#o.fetch(
        roomKey,
        { since: { epoch, offset }, before: null, limit: 1 },
        (error, answer) => {
          if (this.#tracks.get(roomKey) !== track || track.fill !== null || error !== null) return;
          if (answer === null || !answer.recovered || answer.epoch !== track.epoch) return;
          if (answer.offset <= track.offset) return;
          this.#startFill(roomKey, track, answer.offset, null);
        },
      );
    }
  }

  #accept(
    roomKey: string,
    track: Track,
    d: ShardDelivery,
    transient: boolean,
    remote: boolean,
  ): void {
    if (d.epoch !== track.epoch) {
      // Another life of the room (an in-memory room restarted, or a durable one started afresh):
      // its offsets start over, and what the old epoch lacked is gone.
      this.#moveTo(track, d.epoch, d.offset, remote);
      return this.#o.deliver(d, transient);
    }
    if (d.offset <= track.offset) {
      this.#o.counters.gapDuplicates += 1;
      return;
    }
    if (d.offset === track.offset + 1 || !(remote || track.remote)) {
      // A room owned here skips offsets only when its shard restarted, and then each member's
      // restore replays what it missed.
      this.#moveTo(track, d.epoch, d.offset, remote);
      return this.#o.deliver(d, transient);
    }
    const kept = transient ? { ...d, body: d.body.slice() } : d;
    this.#startFill(roomKey, track, d.offset - 1, { type: 'delivery', d: kept, remote });
  }

  #moveTo(track: Track, epoch: string, offset: number, remote: boolean): void {
    track.epoch = epoch;
    track.offset = offset;
    track.remote = remote;
  }

  /** `first`: what revealed the gap, held behind the fill (before the fetch can answer). */
  #startFill(roomKey: string, track: Track, target: number, first: Held | null): void {
    this.#o.counters.gapsFound += 1;
    track.fill = { target, held: first === null ? [] : [first], attempt: 0, timer: null };
    this.#fetch(roomKey, track, track.fill);
  }

  #fetch(roomKey: string, track: Track, fill: Fill): void {
    fill.timer = null;
    fill.attempt += 1;
    const query: HistoryQuery = {
      since: { epoch: track.epoch, offset: track.offset },
      before: null,
      limit: Math.max(1, Math.min(FILL_PAGE, fill.target - track.offset)),
    };
    try {
      this.#o.fetch(roomKey, query, (error, answer) =>
        this.#answered(roomKey, track, fill, error, answer),
      );
    } catch (error) {
      this.#answered(roomKey, track, fill, asError(error), null);
    }
  }

  #answered(
    roomKey: string,
    track: Track,
    fill: Fill,
    error: Error | null,
    answer: HistoryAnswer | null,
  ): void {
    if (track.fill !== fill || this.#tracks.get(roomKey) !== track) return; // given up, or forgotten
    if (error !== null || answer === null) {
      if (fill.attempt < this.#attempts && !this.#closed) {
        fill.timer = setTimeout(
          () => this.#fetch(roomKey, track, fill),
          this.#retryMs * fill.attempt,
        );
        return;
      }
      return this.#giveUp(roomKey, track, fill, error?.message ?? 'no answer');
    }
    if (!answer.recovered || answer.epoch !== track.epoch) {
      return this.#giveUp(roomKey, track, fill, 'the owner no longer has them (or a new epoch)');
    }
    for (const entry of answer.entries) {
      if (entry.offset <= track.offset || entry.offset > fill.target) continue;
      this.#o.counters.gapFilled += 1;
      track.offset = entry.offset;
      this.#o.deliver(deliveryOf(roomKey, track.epoch, entry), false);
    }
    if (track.offset >= fill.target) return this.#finish(roomKey, track, fill);
    if (answer.more && answer.entries.length > 0) {
      fill.attempt = 0;
      return this.#fetch(roomKey, track, fill);
    }
    this.#giveUp(roomKey, track, fill, `the owner's history ends at ${answer.offset}`);
  }

  #giveUp(roomKey: string, track: Track, fill: Fill, reason: string): void {
    this.#o.counters.gapsUnfilled += 1;
    this.#o.log({
      type: 'gap_unfilled',
      roomKey,
      epoch: track.epoch,
      after: track.offset,
      upTo: fill.target,
      reason,
    });
    track.offset = Math.max(track.offset, fill.target);
    this.#finish(roomKey, track, fill);
  }

  /** The fill is done: what was held goes through in order, and may find the next gap. */
  #finish(roomKey: string, track: Track, fill: Fill): void {
    if (fill.timer !== null) clearTimeout(fill.timer);
    track.fill = null;
    const held = fill.held;
    for (let i = 0; i < held.length; i++) {
      const item = held[i] as Held;
      if (item.type === 'run') this.#run(item.run);
      else this.#accept(roomKey, track, item.d, false, item.remote);
      const next = track.fill as Fill | null;
      if (this.#tracks.get(roomKey) !== track) {
        // A callback ended the room's interest here: the rest goes on unchecked.
        if (next !== null) next.held.unshift(...held.slice(i + 1));
        else track.fill = { target: 0, held: held.slice(i + 1), attempt: 0, timer: null };
        return this.#release(track);
      }
      if (next !== null) {
        // Another gap: the rest waits behind that fill, in front of what it holds already.
        next.held.splice(1, 0, ...held.slice(i + 1));
        return;
      }
    }
  }

  /** Only called while `track` has a fill. */
  #hold(roomKey: string, track: Track, item: Held): void {
    const fill = track.fill as Fill;
    fill.held.push(item);
    if (fill.held.length > this.#maxHeld)
      this.#giveUp(roomKey, track, fill, 'too much held behind it');
  }

  /** The room is gone from here: what it held goes on as it is (callbacks run exactly once). */
  #release(track: Track): void {
    const fill = track.fill;
    if (fill === null) return;
    if (fill.timer !== null) clearTimeout(fill.timer);
    track.fill = null;
    for (const item of fill.held) {
      if (item.type === 'run') this.#run(item.run);
      else this.#o.deliver(item.d, false);
    }
  }

  #run(run: () => void): void {
    this.#o.flush();
    try {
      run();
    } catch (error) {
      this.#o.log({ type: 'listener_failed', error });
    }
  }
}

/** A message the fill brought, as the edge renders a live one (the sender is not known: echo). */
function deliveryOf(roomKey: string, epoch: string, entry: HistoryEntry): ShardDelivery {
  return {
    roomKey,
    offset: entry.offset,
    epoch,
    ts: entry.ts,
    ingressTs: entry.ts,
    connId: 0,
    echo: true,
    direct: false,
    body: entry.payload,
  };
}

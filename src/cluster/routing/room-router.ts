import { asError } from '../base/index.js';
import type { RoomHandoff } from '../handoff/index.js';
import type { ClusterRing } from '../membership/index.js';
import type { RoomInterest, RoomRequester, RoomRouteCounters } from '../rooms/index.js';
import { type LaneJob, RoomLanes } from '../rooms/index.js';
import {
  encodeRoomRequest,
  type RoomReply,
  type RoomRequest,
  RoomRouteError,
  roomPublishSubject,
} from '../wire/index.js';

/** What ends a routed request. */
export interface RouteHandlers {
  /** Runs the request on this node's shards (the callback given there settles it). */
  readonly local: () => void;
  readonly reply: (reply: RoomReply) => void;
  readonly fail: (error: Error) => void;
}

export interface RoomRouterOptions {
  readonly self: string;
  readonly ring: () => ClusterRing;
  /** False once the gateway is closed (or not started): requests fail at once. */
  readonly open: () => boolean;
  readonly requester: RoomRequester;
  readonly interest: RoomInterest;
  readonly handoff: RoomHandoff;
  readonly retryMs: number;
  readonly timeoutMs: number;
  readonly counters: RoomRouteCounters;
}

/** A request on its way through the lanes, with what ends it. */
interface RouteJob extends LaneJob {
  readonly request: RoomRequest;
  readonly on: RouteHandlers;
  encoded: Uint8Array | null;
}

/**
 * Takes a room request of this node to the room's owner: this node's shards (unless the room
 * waits for its hand-off, RoomHandoff) or a NATS request to the owner node. NOT_OWNER (the rings
 * disagree for a moment), or no answer from an owner the ring has left since, is retried after
 * `retryMs`, within `timeoutMs`, against the owner of the ring as it is then; RoomLanes keeps one
 * node's requests for one room in their order through those retries.
 */
export class RoomRouter {
  readonly #o: RoomRouterOptions;
  readonly #lanes: RoomLanes<RouteJob>;

  constructor(options: RoomRouterOptions) {
    this.#o = options;
    this.#lanes = new RoomLanes<RouteJob>({
      self: options.self,
      ownerOf: (roomKey) => this.#o.ring().ownerOf(roomKey),
      local: (job) => this.#runLocal(job),
      remote: (job, target, answered) => this.#sendRemote(job, target, answered),
      retryMs: options.retryMs,
      timeoutMs: options.timeoutMs,
      expired: () =>
        new RoomRouteError('ARQ_ERR_SHARD_DOWN', 'no node took the room within the timeout'),
      stopped: () => new RoomRouteError('ARQ_ERR_SHARD_STOPPED', 'cluster rooms are closed'),
    });
  }

  /** Requests waiting to be sent again (or behind one that does), by room. */
  get lanes(): number {
    return this.#lanes.size;
  }

  /** Fails the requests that wait for a retry; those in flight end with the requester. */
  close(): void {
    this.#lanes.close();
  }

  /** Sends `request` to the room's owner (local call or NATS request), in order per room. */
  route(roomKey: string, request: RoomRequest, on: RouteHandlers): void {
    if (!this.#o.open()) {
      const error = new RoomRouteError('ARQ_ERR_SHARD_STOPPED', 'cluster rooms are not running');
      queueMicrotask(() => on.fail(error));
      return;
    }
    const firstAt = performance.now();
    this.#lanes.submit({ roomKey, firstAt, fail: on.fail, request, on, encoded: null });
  }

  /** The room is this node's: straight to the shards, unless it waits for its hand-off. */
  #runLocal(job: RouteJob): void {
    if (this.#o.handoff.defer(job.roomKey, () => this.#lanes.submit(job))) return;
    if (!this.#o.open()) {
      // It waited for a hand-off and the gateway closed meanwhile.
      const error = new RoomRouteError('ARQ_ERR_SHARD_STOPPED', 'cluster rooms are closed');
      queueMicrotask(() => job.on.fail(error));
      return;
    }
    try {
      job.on.local();
    } catch (error) {
      // The local pool refused before sending (e.g. it is restarting): the callback still runs once.
      queueMicrotask(() => job.on.fail(asError(error)));
    }
  }

  #sendRemote(job: RouteJob, target: string, answered: (retry: boolean) => void): void {
    const { roomKey, request, on } = job;
    // The fan-out subscription exists before the request leaves (same connection: the server
    // has it before the owner can answer), so nothing published after the reply is missed.
    if (request.type === 'join') this.#o.interest.subscribe(roomKey);
    job.encoded ??= encodeRoomRequest(request);
    const subject = roomPublishSubject(request.tenant, target, request.room);
    this.#o.requester.request(subject, job.encoded, (error, reply) => {
      if (error === null) {
        try {
          on.reply(reply as RoomReply);
        } finally {
          answered(false);
        }
        return;
      }
      // NOT_OWNER: the rings disagree for a moment. SHARD_DOWN from an owner the ring has left
      // since (it stopped or died meanwhile): the room's new owner takes it.
      const moved =
        error.code === 'ARQ_ERR_SHARD_DOWN' &&
        this.#o.open() &&
        this.#o.ring().ownerOf(roomKey) !== target;
      if (error.code === 'ARQ_ERR_NOT_OWNER' || moved) {
        this.#o.counters.retries += 1;
        answered(true);
        return;
      }
      try {
        on.fail(error);
      } finally {
        answered(false);
      }
    });
  }
}

export function unexpected(reply: RoomReply): RoomRouteError {
  return new RoomRouteError('ARQ_ERR_CLUSTER_MALFORMED', `unexpected owner reply ${reply.type}`);
}

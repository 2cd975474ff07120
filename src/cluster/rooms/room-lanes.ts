/** One request of this node for a room, as the lanes see it. */
export interface LaneJob {
  readonly roomKey: string;
  /** When it was first routed: its NOT_OWNER retries end `timeoutMs` after. */
  readonly firstAt: number;
  /** Ends it with an error (the retry budget is spent, or the lanes closed). */
  readonly fail: (error: Error) => void;
}

export interface RoomLanesOptions<J extends LaneJob> {
  readonly self: string;
  readonly ownerOf: (roomKey: string) => string;
  /** Runs the job on this node's shards (it owns the room). */
  readonly local: (job: J) => void;
  /**
   * Sends the job to `target`; `answered(retry)` must be called exactly once: `retry` true when
   * the target did not take it (NOT_OWNER, or it is gone and the ring has moved on).
   */
  readonly remote: (job: J, target: string, answered: (retry: boolean) => void) => void;
  readonly retryMs: number;
  readonly timeoutMs: number;
  /** The error for a job whose retries ran out / for jobs cut off by `close`. */
  readonly expired: () => Error;
  readonly stopped: () => Error;
}

interface Lane<J> {
  target: string;
  inflight: number;
  /** Jobs not sent yet, in the order they were first routed. */
  waiting: { readonly seq: number; readonly job: J }[];
  backoff: boolean;
  timer: NodeJS.Timeout | null;
}

/**
 * Keeps one node's requests for one room in order while the room's owner changes. Requests for a
 * room flow straight to its owner; a room gets a lane while some are in flight to a remote owner.
 * While the lane's requests are out, a later request goes out too only if it goes to the same
 * owner; otherwise (the ring moved the room meanwhile) it waits, and so does everything after it,
 * until those in flight are answered. A request answered NOT_OWNER takes its place in the queue
 * again (by first-routed order) and the whole queue goes, after `retryMs`, to the owner of the
 * ring as it is then. So a publish retried after NOT_OWNER cannot land after one sent later.
 */
export class RoomLanes<J extends LaneJob> {
  readonly #o: RoomLanesOptions<J>;
  readonly #lanes = new Map<string, Lane<J>>();
  #seq = 0;
  #closed = false;

  constructor(options: RoomLanesOptions<J>) {
    this.#o = options;
  }

  /** Rooms with requests in flight or waiting. */
  get size(): number {
    return this.#lanes.size;
  }

  submit(job: J): void {
    if (this.#closed) return job.fail(this.#o.stopped());
    const seq = ++this.#seq;
    const lane = this.#lanes.get(job.roomKey);
    if (lane === undefined) {
      const owner = this.#o.ownerOf(job.roomKey);
      if (owner === this.#o.self) return this.#o.local(job);
      const fresh: Lane<J> = {
        target: owner,
        inflight: 0,
        waiting: [],
        backoff: false,
        timer: null,
      };
      this.#lanes.set(job.roomKey, fresh);
      return this.#send(fresh, seq, job);
    }
    if (
      lane.waiting.length === 0 &&
      lane.timer === null &&
      !lane.backoff &&
      this.#o.ownerOf(job.roomKey) === lane.target
    ) {
      return this.#send(lane, seq, job);
    }
    lane.waiting.push({ seq, job });
  }

  /** Fails every job waiting; those in flight end through their own callbacks. */
  close(): void {
    this.#closed = true;
    const lanes = [...this.#lanes.values()];
    this.#lanes.clear();
    for (const lane of lanes) {
      if (lane.timer !== null) clearTimeout(lane.timer);
      for (const { job } of lane.waiting) job.fail(this.#o.stopped());
    }
  }

  #send(lane: Lane<J>, seq: number, job: J): void {
    lane.inflight += 1;
    let answered = false;
    this.#o.remote(job, lane.target, (retry) => {
      if (answered) return;
      answered = true;
      lane.inflight -= 1;
      if (retry) {
        if (this.#closed) job.fail(this.#o.stopped());
        else if (performance.now() - job.firstAt >= this.#o.timeoutMs) job.fail(this.#o.expired());
        else {
          insertBySeq(lane.waiting, seq, job);
          lane.backoff = true;
        }
      }
      this.#pump(job.roomKey, lane);
    });
  }

  #pump(roomKey: string, lane: Lane<J>): void {
    if (this.#closed || lane.inflight > 0 || lane.timer !== null) return;
    if (lane.waiting.length === 0) {
      if (this.#lanes.get(roomKey) === lane) this.#lanes.delete(roomKey);
      return;
    }
    if (lane.backoff) {
      lane.backoff = false;
      lane.timer = setTimeout(() => {
        lane.timer = null;
        this.#flush(roomKey, lane);
      }, this.#o.retryMs);
      return;
    }
    this.#flush(roomKey, lane);
  }

  #flush(roomKey: string, lane: Lane<J>): void {
    if (this.#closed) return;
    const waiting = lane.waiting;
    lane.waiting = [];
    const owner = this.#o.ownerOf(roomKey);
    if (owner === this.#o.self) {
      this.#lanes.delete(roomKey);
      for (const { job } of waiting) this.#o.local(job);
      return;
    }
    lane.target = owner;
    for (const { seq, job } of waiting) this.#send(lane, seq, job);
    this.#pump(roomKey, lane);
  }
}

function insertBySeq<J>(waiting: { seq: number; job: J }[], seq: number, job: J): void {
  let i = waiting.length;
  while (i > 0 && (waiting[i - 1] as { seq: number }).seq > seq) i--;
  waiting.splice(i, 0, { seq, job });
}

import type { ClientProtocol, FailedReport, HistogramSnapshot } from '../lib/index.js';

/** The clients one generator runs for one room (a large room is split over generators). */
export interface RoomPlan {
  readonly room: string;
  readonly members: number;
  /** Members are `u<firstSub>`, `u<firstSub+1>`, ...; tokens are signed for those subs. */
  readonly firstSub: number;
  /** The first member of this plan publishes to the room. */
  readonly publishes: boolean;
}

export type FanoutCommand =
  | {
      readonly type: 'setup';
      readonly protocol: ClientProtocol;
      readonly url: string;
      /** HS256 secret to sign ArqonBus tokens with; null for servers without auth. */
      readonly secret: string | null;
      readonly tenant: string;
      readonly rooms: readonly RoomPlan[];
      readonly concurrency: number;
      readonly timeoutMs: number;
    }
  /**
   * Start publishing at `rate` publishes/s in all, round-robin over this generator's publishers;
   * `text` (or null) is each message's `data.text`.
   */
  | { readonly type: 'publish'; readonly rate: number; readonly text: string | null }
  /** Start of the measurement window: counters and CPU reset. */
  | { readonly type: 'mark' }
  /** End of the window: report what happened since `mark`. */
  | { readonly type: 'collect' }
  /** Stop publishing (after `collect`); answered `halted`. */
  | { readonly type: 'halt' }
  /** Every room's last sequence number sent, from every generator's `halted`; answered `tallied`. */
  | { readonly type: 'tally'; readonly lastSeq: Readonly<Record<string, number>> }
  | { readonly type: 'stop' };

export interface FanoutCollected {
  readonly type: 'collected';
  readonly deliveries: number;
  readonly published: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly closed: number;
  readonly histogram: HistogramSnapshot;
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  readonly windowNs: number;
}

export type FanoutReport =
  | {
      readonly type: 'ready';
      readonly clients: number;
      /** Connection attempts that failed and were made again (see connectAndJoin). */
      readonly retries: number;
      readonly setupMs: number;
    }
  | { readonly type: 'marked' }
  | FanoutCollected
  | { readonly type: 'halted'; readonly lastSeq: Readonly<Record<string, number>> }
  | {
      readonly type: 'tallied';
      /** Sequence numbers members never saw, over the whole case (warm-up included). */
      readonly missing: number;
      readonly duplicates: number;
      /** Members that missed at least one. */
      readonly membersShort: number;
    }
  | { readonly type: 'stopped' }
  | FailedReport;

import type { FailedReport } from '../lib/index.js';

export type PresenceCommand =
  | {
      readonly type: 'setup';
      readonly url: string;
      readonly secret: string;
      readonly tenant: string;
      readonly room: string;
      /** Source address for this generator's sockets (127.0.0.x), spreading ephemeral ports. */
      readonly localAddress: string;
      /** Member i (global numbering) is `u<i>`. */
      readonly firstIndex: number;
      readonly count: number;
      /** Every member whose index is a multiple of this keeps a full view as the SDK does. */
      readonly sampleEvery: number;
      /** Entries a full view holds once the room has converged. */
      readonly target: number;
      readonly concurrency: number;
      readonly timeoutMs: number;
    }
  /** One more member joins and times its presence_state. */
  | { readonly type: 'late'; readonly index: number }
  | { readonly type: 'check' }
  | { readonly type: 'stop' };

export type PresenceReport =
  | {
      readonly type: 'joined';
      /** Date.now() of the first join sent and of the last join confirmed. */
      readonly firstJoinAt: number;
      readonly lastJoinedAt: number;
      readonly retries: number;
    }
  | {
      readonly type: 'status';
      readonly members: number;
      readonly open: number;
      /** Sampled views that hold `target` entries, of how many sampled. */
      readonly converged: number;
      readonly sampled: number;
      /** Date.now() when the last sampled view reached `target`; 0 while one has not. */
      readonly convergedAt: number;
      /** Every presence frame (state and diff) every member received, and their bytes. */
      readonly frames: number;
      readonly bytes: number;
      /** Date.now() of the last presence frame any member received. */
      readonly lastFrameAt: number;
      readonly errors: Readonly<Record<string, number>>;
    }
  | {
      readonly type: 'late';
      /** From the join sent to its presence_state parsed. */
      readonly stateMs: number;
      readonly entries: number;
      readonly stateBytes: number;
    }
  | { readonly type: 'stopped' }
  | FailedReport;

import type { ClientProtocol, FailedReport } from '../lib/index.js';

export type ConnectionsCommand =
  | {
      readonly type: 'setup';
      readonly protocol: ClientProtocol;
      readonly url: string;
      /** HS256 secret to sign ArqonBus tokens with; null for servers without auth. */
      readonly secret: string | null;
      readonly tenant: string;
      /** Source address for this generator's sockets (127.0.0.x), spreading ephemeral ports. */
      readonly localAddress: string;
      /** Connection i (global numbering) is `u<i>` and joins `room-<floor(i / roomSize)>`. */
      readonly firstIndex: number;
      readonly count: number;
      readonly roomSize: number;
      readonly concurrency: number;
      readonly timeoutMs: number;
    }
  /** How many of this generator's connections are still open. */
  | { readonly type: 'check' }
  | { readonly type: 'stop' };

export type ConnectionsReport =
  | {
      readonly type: 'ready';
      readonly connected: number;
      /** Connection attempts that failed and were made again (see connectAndJoin). */
      readonly retries: number;
      readonly setupMs: number;
    }
  | {
      readonly type: 'status';
      readonly open: number;
      readonly closed: number;
      readonly errors: Readonly<Record<string, number>>;
    }
  | { readonly type: 'stopped' }
  | FailedReport;

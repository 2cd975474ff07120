/**
 * What the cluster modules report instead of throwing: trouble that comes from the network or from a
 * listener never stops a heartbeat or a merge. The node maps these onto its logger and metrics.
 */
export type ClusterLogEvent =
  /** An inbound message that did not parse; it was dropped. */
  | { readonly type: 'malformed'; readonly subject: string; readonly error: Error }
  /** A publish that the client refused (closed connection, payload too large, ...). */
  | { readonly type: 'publish_failed'; readonly subject: string; readonly error: Error }
  /** The server refused or ended a subscription (e.g. a permission violation). */
  | { readonly type: 'subscription_failed'; readonly subject: string; readonly error: Error }
  /** A listener or callback threw; the event went on to the others. */
  | { readonly type: 'listener_failed'; readonly error: unknown }
  /** A heartbeat carried this node's id with another incarnation: two processes share an id. */
  | { readonly type: 'node_id_conflict'; readonly node: string; readonly incarnation: string }
  /** A full-state pull from `node` failed (timeout, no responder, bad reply); it is retried. */
  | { readonly type: 'state_pull_failed'; readonly node: string; readonly error: Error }
  /** A moved room waited for its hand-off longer than handoffTimeoutMs: it started afresh. */
  | { readonly type: 'handoff_timeout'; readonly roomKey: string }
  /** A room could not be handed over (export failed, or no ack in time): it restarts afresh. */
  | { readonly type: 'handoff_failed'; readonly roomKey: string; readonly error: Error }
  /**
   * A remote room's messages after `after` up to `upTo` never reached this node and could not be
   * fetched from its owner: its local members go on without them.
   */
  | {
      readonly type: 'gap_unfilled';
      readonly roomKey: string;
      readonly epoch: string;
      readonly after: number;
      readonly upTo: number;
      readonly reason: string;
    };

export type ClusterLog = (event: ClusterLogEvent) => void;

/** The default log: drops everything (counters in `stats()` still count). */
export const SILENT_CLUSTER_LOG: ClusterLog = () => {};

/** Coerces whatever was thrown into an Error for a log event. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new TypeError(String(thrown));
}

export { CausalContext, type ClockRange } from './causal-context.js';
export { PresenceError, type PresenceErrorCode } from './errors.js';
export { isPresenceMeta, MAX_META_DEPTH } from './json-meta.js';
export { mergePresenceDeltas } from './merge-presence-deltas.js';
export { parsePresenceDelta } from './parse-presence-delta.js';
export {
  PresenceCoalescer,
  type PresenceCoalescerOptions,
  type PresenceDiffSink,
} from './presence-coalescer.js';
export { isFullState, type PresenceDelta, type PresenceDeltaEntry } from './presence-delta.js';
export {
  type PresenceChanges,
  type PresenceDiffBody,
  presenceDiffOf,
  type TopicChanges,
} from './presence-diff.js';
export type { JsonValue, PresenceEntry, PresenceMeta } from './presence-entry.js';
export {
  type MergeOutcome,
  type MergeResult,
  PresenceState,
  type PresenceStateOptions,
  type ReplicaInfo,
  type ReplicaStatus,
} from './presence-state.js';
export {
  type PresenceOutput,
  PresenceTracker,
  type PresenceTrackerOptions,
} from './presence-tracker.js';
export { metaViewOf, type PresenceMetaView, type Presences, presencesOf } from './presence-view.js';
export {
  compareIncarnations,
  formatIncarnation,
  type ReplicaId,
  replicaKey,
  sameReplica,
} from './replica.js';

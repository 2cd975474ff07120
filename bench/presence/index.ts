export {
  MEMBERS_PER_GENERATOR,
  type PresenceCaseOptions,
  type PresenceResult,
  runPresenceCase,
  SAMPLE_EVERY,
} from './presence-case.js';
export type { PresenceCommand, PresenceReport } from './presence-messages.js';
export { presenceTable } from './presence-report.js';

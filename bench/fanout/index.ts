export {
  type CasePreparation,
  type FanoutCaseOptions,
  type FanoutResult,
  runFanoutCase,
  type ThreadProfile,
} from './fanout-case.js';
export type { FanoutCollected, FanoutCommand, FanoutReport, RoomPlan } from './fanout-messages.js';
export {
  CPU_BOUND_SHARE,
  fanoutAnomalies,
  fanoutTable,
  fanoutVerdict,
  figures,
  TARGET_P99_VS_UWS,
  TARGET_USER_VS_SOCKETIO,
} from './fanout-report.js';
export {
  describeShape,
  FANOUT_SHAPES,
  type FanoutShape,
  type GeneratorPlan,
  HOT_ROOM_SHAPE,
  LARGE_ROOM_SHAPE,
  LIGHT_SMALL_ROOMS_SHAPE,
  planShape,
  SMALL_ROOMS_SHAPE,
} from './fanout-shapes.js';
export { profileReport } from './profile-report.js';
export {
  DEFAULT_CASE_QUIET_WAIT_MS,
  DEFAULT_CASE_RETRIES,
  MAX_OTHER_CORES,
  runUndisturbedCase,
  type UndisturbedOptions,
} from './undisturbed-case.js';

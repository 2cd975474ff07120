export {
  type Child,
  type ChildSpec,
  type ChildType,
  DEFAULT_CHILD_TYPE,
  DEFAULT_RESTART_TYPE,
  DEFAULT_SHUTDOWN_MS,
  type ExitReason,
  isNormalExit,
  type RestartType,
  type Shutdown,
  shouldRestart,
} from './child.js';
export type { ChildInfo } from './child-slot.js';
export {
  DEFAULT_DYNAMIC_SUPERVISOR_NAME,
  DEFAULT_MAX_CHILDREN,
  DynamicSupervisor,
  type DynamicSupervisorOptions,
} from './dynamic-supervisor.js';
export { SupervisorError, type SupervisorErrorCode } from './errors.js';
export { exitSeenByParent } from './exit-seen-by-parent.js';
export type { BaseSupervisorOptions } from './resolve-base-options.js';
export { type ResolvedChildSpec, resolveChildSpec } from './resolve-child-spec.js';
export { DEFAULT_MAX_RESTARTS, DEFAULT_PERIOD_MS, RestartIntensity } from './restart-intensity.js';
export { affectedChildren, RESTART_STRATEGIES, type RestartStrategy } from './restart-strategy.js';
export { shutdownChild } from './shutdown-child.js';
export {
  SUPERVISION_CHANNEL,
  type SupervisionEvent,
  type SupervisionEventListener,
} from './supervision-event.js';
export { DEFAULT_SUPERVISOR_NAME, Supervisor, type SupervisorOptions } from './supervisor.js';
export {
  DEFAULT_SUPERVISOR_SHUTDOWN,
  type SupervisorChildSpecExtra,
} from './supervisor-child-spec.js';
export {
  READY_MESSAGE,
  type ReadyMessage,
  STOP_MESSAGE,
  type StopMessage,
  type WorkerControlMessage,
} from './worker-protocol.js';
export { onStopRequested, signalReady } from './worker-runtime.js';
export {
  DEFAULT_READY_TIMEOUT_MS,
  type WorkerThreadChildOptions,
  workerThreadChild,
} from './worker-thread-child.js';

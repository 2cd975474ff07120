export { type ActorChild, actorChild } from './actor-child.js';
export type { ActorContext, AskOptions, StopReason, TimerId } from './actor-context.js';
export {
  type ActorAddress,
  type ActorRef,
  addressKey,
  SYSTEM_ACTOR_ID,
  sameActor,
  sameThread,
  type ThreadAddress,
  threadKey,
} from './actor-ref.js';
export {
  type ActorHandle,
  ActorSystem,
  type ActorSystemStats,
  type ShutdownOptions,
} from './actor-system.js';
export type { Behavior } from './behavior.js';
export type { Child, ChildSpec, ExitReason } from './child-contract.js';
export { ActorError, type ActorErrorCode } from './errors.js';
export { FifoQueue } from './fifo-queue.js';
export { MessagePortTransport } from './message-port-transport.js';
export { type PortableError, portableReason, toPortableError } from './portable-error.js';
export type {
  AskOutcome,
  RemoteEnvelope,
  RemoteSink,
  RemoteTransport,
  ReplyTarget,
} from './remote-envelope.js';
export {
  type ChildSpawnOptions,
  DEFAULT_MAILBOX_CAPACITY,
  type SpawnOptions,
} from './spawn-options.js';
export type {
  DownMessage,
  DownReason,
  ExitMessage,
  MonitorId,
  OverflowMessage,
  SystemMessage,
} from './system-message.js';
export {
  type ActorSystemOptions,
  DEFAULT_ASK_TIMEOUT_MS,
  DEFAULT_MESSAGES_PER_TICK,
  DEFAULT_MESSAGES_PER_TURN,
  DEFAULT_NODE,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
} from './system-options.js';

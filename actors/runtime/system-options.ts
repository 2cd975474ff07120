import { threadId } from 'node:worker_threads';
import {
  invalidOption,
  nonEmptyString,
  nonNegativeInteger,
  positiveInteger,
  timeoutMs,
} from './option-checks.js';
import type { RemoteTransport } from './remote-envelope.js';

export const DEFAULT_NODE = 'local';
/** Per actor per turn: small enough that a flooded actor yields to the others often. */
export const DEFAULT_MESSAGES_PER_TURN = 32;
/** Per tick in total: bounds how long the thread's I/O waits behind actor work. */
export const DEFAULT_MESSAGES_PER_TICK = 1024;
export const DEFAULT_ASK_TIMEOUT_MS = 5000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

export interface ActorSystemOptions {
  /** This node's id, as used in every ActorRef of the system. */
  readonly node?: string;
  /** This thread's number; defaults to worker_threads.threadId (0 on the main thread). */
  readonly thread?: number;
  readonly messagesPerTurn?: number;
  readonly messagesPerTick?: number;
  /** Default timeout of `ask` when the call gives none. */
  readonly askTimeoutMs?: number;
  /** How messages reach actors on other threads or nodes; null: local only. */
  readonly transport?: RemoteTransport | null;
}

export interface ResolvedSystemOptions {
  readonly node: string;
  readonly thread: number;
  readonly messagesPerTurn: number;
  readonly messagesPerTick: number;
  readonly askTimeoutMs: number;
  readonly transport: RemoteTransport | null;
}

export function resolveSystemOptions(options: ActorSystemOptions = {}): ResolvedSystemOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', 'must be an object', options);
  }
  const transport = options.transport ?? null;
  if (transport !== null && typeof transport.send !== 'function') {
    throw invalidOption('options.transport', 'must have a send method', transport);
  }
  return {
    node: nonEmptyString('options.node', options.node, DEFAULT_NODE),
    thread: nonNegativeInteger('options.thread', options.thread, threadId),
    messagesPerTurn: positiveInteger(
      'options.messagesPerTurn',
      options.messagesPerTurn,
      DEFAULT_MESSAGES_PER_TURN,
    ),
    messagesPerTick: positiveInteger(
      'options.messagesPerTick',
      options.messagesPerTick,
      DEFAULT_MESSAGES_PER_TICK,
    ),
    askTimeoutMs: timeoutMs('options.askTimeoutMs', options.askTimeoutMs, DEFAULT_ASK_TIMEOUT_MS),
    transport,
  };
}

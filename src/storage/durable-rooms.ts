import { roomOfKey } from '../../actors/index.js';
import { RoomPattern } from '../auth/index.js';
import { StorageError } from './storage-error.js';

/**
 * What one durable room keeps (per room, not per stream). 10,000 messages covers a client that was
 * away for minutes in a busy room; a day is what users of chat-like rooms expect to scroll back;
 * 16 MiB bounds the owner's in-memory window of one room.
 */
export const DEFAULT_HISTORY_MAX_MESSAGES = 10_000;
export const DEFAULT_HISTORY_MAX_AGE_SEC = 86_400;
export const DEFAULT_HISTORY_MAX_BYTES = 16 * 1024 * 1024;
/** The owner's window keeps byte positions in 32 bits (RoomHistory). */
export const HISTORY_MAX_BYTES_LIMIT = 0xffff_ffff;

export interface DurableRoomsOptions {
  /** Room patterns, as in a token's `rooms` claim (`chat.*`, `orders.>`), for every tenant. */
  readonly patterns: readonly string[];
  readonly maxMessages?: number;
  readonly maxAgeSec?: number;
  readonly maxBytes?: number;
}

/** The patterns' first problem, or null: for the node's option check, before anything starts. */
export function durablePatternProblem(patterns: readonly string[]): string | null {
  for (const pattern of patterns) {
    try {
      RoomPattern.compile(pattern);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  return null;
}

function positive(name: string, value: number | undefined, fallback: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1 || v > max) {
    throw new StorageError(
      'ARQ_ERR_STORAGE_OPTIONS',
      `options.${name} must be an integer from 1 to ${max}, got ${v}`,
    );
  }
  return v;
}

/** Which rooms are durable, and what each keeps: the same on every node of a cluster. */
export class DurableRooms {
  readonly patterns: readonly string[];
  readonly maxMessages: number;
  readonly maxAgeSec: number;
  readonly maxBytes: number;
  readonly #compiled: readonly RoomPattern[];

  constructor(options: DurableRoomsOptions) {
    const problem = durablePatternProblem(options.patterns);
    if (problem !== null) throw new StorageError('ARQ_ERR_STORAGE_OPTIONS', problem);
    this.patterns = [...options.patterns];
    this.#compiled = this.patterns.map((p) => RoomPattern.compile(p));
    this.maxMessages = positive(
      'maxMessages',
      options.maxMessages,
      DEFAULT_HISTORY_MAX_MESSAGES,
      Number.MAX_SAFE_INTEGER,
    );
    this.maxAgeSec = positive(
      'maxAgeSec',
      options.maxAgeSec,
      DEFAULT_HISTORY_MAX_AGE_SEC,
      Number.MAX_SAFE_INTEGER,
    );
    this.maxBytes = positive(
      'maxBytes',
      options.maxBytes,
      DEFAULT_HISTORY_MAX_BYTES,
      HISTORY_MAX_BYTES_LIMIT,
    );
  }

  /** Is the room of `roomKey` (`tenant|room`) durable? Patterns name rooms, in every tenant. */
  isDurable(roomKey: string): boolean {
    const room = roomOfKey(roomKey);
    return this.#compiled.some((pattern) => pattern.matches(room));
  }
}

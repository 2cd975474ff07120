import { ArqonClientError } from './errors.js';
import type { HistoryFrame } from './history-query.js';

/** A point in a room's stream, from a join reply or the last message seen. */
export interface ResumePoint {
  readonly epoch: string;
  readonly offset: number;
}

/** A time in a room's kept history (ms since the Unix epoch): replay what was stored from then on. */
export interface TimePoint {
  readonly ts: number;
}

export interface JoinOptions {
  /** Shown to others in presence, next to `conn`, `node` and `online_at`. */
  readonly meta?: Readonly<Record<string, unknown>>;
  /**
   * Deliver the messages after this point (or stored from this time on) before live ones, if the
   * server still has them.
   */
  readonly since?: ResumePoint | TimePoint;
}

export interface PublishOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** Deliver to this connection too (the default). */
  readonly echo?: boolean;
}

/** A frame this client sends, before its `ref` is added. */
export type ClientFrame =
  | {
      readonly op: 'join';
      readonly room: string;
      readonly meta?: Readonly<Record<string, unknown>>;
      readonly since?: ResumePoint | TimePoint;
    }
  | { readonly op: 'leave'; readonly room: string }
  | {
      readonly op: 'publish';
      readonly room: string;
      readonly data: unknown;
      readonly headers?: Readonly<Record<string, string>>;
      readonly echo?: false;
    }
  | HistoryFrame
  | { readonly op: 'ping' }
  | { readonly op: 'refresh'; readonly token: string };

export type JoinFrame = Extract<ClientFrame, { op: 'join' }>;

function invalid(message: string): ArqonClientError {
  return new ArqonClientError('ARQ_CLIENT_INVALID_ARGUMENT', message);
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkRoom(room: unknown): string {
  if (typeof room !== 'string' || room === '')
    throw invalid(`room must be a non-empty string, got ${JSON.stringify(room)}`);
  return room;
}

export function checkResumePoint(since: unknown, name: string): ResumePoint {
  if (!isPlainObject(since)) throw invalid(`${name} must be {epoch, offset}`);
  if (typeof since.epoch !== 'string' || since.epoch === '')
    throw invalid(`${name}.epoch must be a non-empty string`);
  if (!Number.isSafeInteger(since.offset) || (since.offset as number) < 0)
    throw invalid(`${name}.offset must be a non-negative integer`);
  return { epoch: since.epoch, offset: since.offset as number };
}

/** A join's `since`: a resume point, or `{ ts }` alone. */
function checkSince(since: unknown): ResumePoint | TimePoint {
  if (isPlainObject(since) && 'ts' in since && !('epoch' in since) && !('offset' in since)) {
    if (!Number.isSafeInteger(since.ts) || (since.ts as number) < 0)
      throw invalid('options.since.ts must be a non-negative integer (ms since the Unix epoch)');
    return { ts: since.ts as number };
  }
  return checkResumePoint(since, 'options.since');
}

export function joinFrame(room: string, options: JoinOptions): JoinFrame {
  checkRoom(room);
  if (!isPlainObject(options)) throw invalid('join options must be an object');
  if (options.meta !== undefined && !isPlainObject(options.meta))
    throw invalid('options.meta must be an object');
  return {
    op: 'join',
    room,
    ...(options.meta === undefined ? {} : { meta: options.meta }),
    ...(options.since === undefined ? {} : { since: checkSince(options.since) }),
  };
}

export function publishFrame(room: string, data: unknown, options: PublishOptions): ClientFrame {
  checkRoom(room);
  if (data === undefined) throw invalid('publish data must be a JSON value, got undefined');
  if (!isPlainObject(options)) throw invalid('publish options must be an object');
  const { headers, echo } = options;
  if (headers !== undefined) {
    if (!isPlainObject(headers)) throw invalid('options.headers must be an object of strings');
    for (const name of Object.keys(headers)) {
      if (typeof headers[name] !== 'string')
        throw invalid(`options.headers.${name} must be a string`);
    }
  }
  if (echo !== undefined && typeof echo !== 'boolean')
    throw invalid(`options.echo must be a boolean, got ${JSON.stringify(echo)}`);
  return {
    op: 'publish',
    room,
    data,
    ...(headers === undefined ? {} : { headers: headers as Readonly<Record<string, string>> }),
    ...(echo === false ? { echo: false as const } : {}),
  };
}

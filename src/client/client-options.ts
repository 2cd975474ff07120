import { type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import type { StateChange } from './client-state.js';
import { ArqonClientError } from './errors.js';
import type { WebSocketConstructor } from './websocket-like.js';

/** A fixed token, or a function called before every connection attempt for a fresh one. */
export type TokenSource = string | (() => string | Promise<string>);

export interface ArqonClientOptions {
  /** `ws://host:port/ws` of a node, or several: reconnects rotate through them (fail-over). */
  readonly url: string | readonly string[];
  readonly token: TokenSource;
  /** Defaults to `globalThis.WebSocket` (browsers, Node >= 22); pass `ws`'s class on Node 20. */
  readonly WebSocket?: WebSocketConstructor;
  /** Backoff between reconnect attempts (missing fields take DEFAULT_BACKOFF's); false: never. */
  readonly reconnect?: Partial<BackoffOptions> | false;
  /** How long a request waits for its reply. */
  readonly requestTimeoutMs?: number;
  /**
   * Check liveness with a `ping` when nothing arrived for the welcome's `heartbeat_ms`; a ping
   * left unanswered for `requestTimeoutMs` drops the socket (and reconnects). Browsers cannot see
   * WebSocket-level pings, so this is how a half-open connection is noticed.
   */
  readonly heartbeat?: boolean;
  readonly onStateChange?: (change: StateChange) => void;
  /** Source of [0, 1) for backoff jitter (tests inject a fixed one). */
  readonly random?: () => number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_HEARTBEAT = true;

/** The options after validation: everything present, nothing undefined. */
export interface ResolvedClientOptions {
  readonly urls: readonly string[];
  readonly token: TokenSource;
  readonly WebSocket: WebSocketConstructor;
  readonly reconnect: BackoffOptions | null;
  readonly requestTimeoutMs: number;
  readonly heartbeat: boolean;
  readonly onStateChange: ((change: StateChange) => void) | null;
  readonly random: () => number;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

function invalid(message: string): ArqonClientError {
  return new ArqonClientError('ARQ_CLIENT_INVALID_OPTION', message);
}

function checkUrl(value: unknown, name: string): string {
  if (typeof value !== 'string')
    throw invalid(`${name} must be a ws:// or wss:// URL, got ${describe(value)}`);
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch (err) {
    throw new ArqonClientError(
      'ARQ_CLIENT_INVALID_OPTION',
      `${name} must be a ws:// or wss:// URL, got ${describe(value)}`,
      { cause: err },
    );
  }
  if (protocol !== 'ws:' && protocol !== 'wss:')
    throw invalid(`${name} must be a ws:// or wss:// URL, got ${describe(value)}`);
  return value;
}

function checkUrls(value: unknown): readonly string[] {
  if (!Array.isArray(value)) return [checkUrl(value, 'options.url')];
  if (value.length === 0) throw invalid('options.url must not be an empty array');
  return Object.freeze(value.map((url, i) => checkUrl(url, `options.url[${i}]`)));
}

function checkNumber(value: unknown, name: string, min: number, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `between ${min} and ${max}`;
    throw invalid(`${name} must be a finite number ${range}, got ${describe(value)}`);
  }
  return value;
}

function checkBackoff(value: unknown): BackoffOptions | null {
  if (value === false) return null;
  if (value === undefined) return DEFAULT_BACKOFF;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`options.reconnect must be an object or false, got ${describe(value)}`);
  const given = value as Partial<Record<keyof BackoffOptions, unknown>>;
  const field = (key: keyof BackoffOptions, min: number, max?: number): number =>
    given[key] === undefined
      ? DEFAULT_BACKOFF[key]
      : checkNumber(given[key], `options.reconnect.${key}`, min, max);
  const backoff: BackoffOptions = {
    initialDelayMs: field('initialDelayMs', 0),
    maxDelayMs: field('maxDelayMs', 0),
    factor: field('factor', 1),
    jitter: field('jitter', 0, 1),
  };
  if (backoff.maxDelayMs < backoff.initialDelayMs) {
    throw invalid(
      `options.reconnect.maxDelayMs must be >= initialDelayMs (${backoff.initialDelayMs}), got ${backoff.maxDelayMs}`,
    );
  }
  return Object.freeze(backoff);
}

function defaultWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
}

/** Validates once, at construction; the messages name the option at fault. */
export function resolveClientOptions(options: ArqonClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null)
    throw invalid(`options must be an object, got ${describe(options)}`);
  const urls = checkUrls(options.url);
  const token = options.token;
  if (typeof token !== 'function' && (typeof token !== 'string' || token === ''))
    throw invalid(`options.token must be a non-empty string or a function, got ${describe(token)}`);
  const WebSocket = options.WebSocket ?? defaultWebSocket();
  if (typeof WebSocket !== 'function') {
    throw invalid(
      options.WebSocket === undefined
        ? 'options.WebSocket is required: this runtime has no global WebSocket (on Node 20, pass the `ws` package class)'
        : `options.WebSocket must be a WebSocket constructor, got ${describe(options.WebSocket)}`,
    );
  }
  const requestTimeoutMs =
    options.requestTimeoutMs === undefined
      ? DEFAULT_REQUEST_TIMEOUT_MS
      : checkNumber(options.requestTimeoutMs, 'options.requestTimeoutMs', 1);
  const heartbeat = options.heartbeat ?? DEFAULT_HEARTBEAT;
  if (typeof heartbeat !== 'boolean')
    throw invalid(`options.heartbeat must be a boolean, got ${describe(heartbeat)}`);
  const onStateChange = options.onStateChange ?? null;
  if (onStateChange !== null && typeof onStateChange !== 'function')
    throw invalid(`options.onStateChange must be a function, got ${describe(onStateChange)}`);
  const random = options.random ?? Math.random;
  if (typeof random !== 'function')
    throw invalid(`options.random must be a function, got ${describe(random)}`);
  return Object.freeze({
    urls,
    token,
    WebSocket,
    reconnect: checkBackoff(options.reconnect),
    requestTimeoutMs,
    heartbeat,
    onStateChange,
    random,
  });
}

import { Backoff } from './backoff.js';
import type { ClientFrame } from './client-frame.js';
import type { ResolvedClientOptions } from './client-options.js';
import type { ClientState, StateChange } from './client-state.js';
import {
  CLOSE_ABNORMAL,
  CLOSE_HEARTBEAT_TIMEOUT,
  CLOSE_NORMAL,
  shouldReconnect,
} from './close-policy.js';
import { ArqonClientError } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import { PendingRequests, type ReplyBody } from './pending-requests.js';
import type { ServerFrame, Welcome } from './server-frame.js';
import { SocketSession } from './socket-session.js';

/** What the connection tells its client. */
export interface ConnectionHooks {
  /** Connected: requests work now, and before the state change is announced. */
  connected(welcome: Welcome): void;
  /** Every frame but replies (which settle requests here). */
  frame(frame: ServerFrame): void;
  error(error: ArqonClientError): void;
  state(change: StateChange): void;
  /** The connection is closed for good (after the `closed` state is announced). */
  closed(): void;
}

interface ConnectWaiter {
  readonly resolve: (welcome: Welcome) => void;
  readonly reject: (error: ArqonClientError) => void;
}

export function closedError(code: number | null = null, reason = ''): ArqonClientError {
  const why = code === null ? '' : ` (server close ${code}${reason === '' ? '' : `: ${reason}`})`;
  return new ArqonClientError('ARQ_CLIENT_CLOSED', `the client is closed${why}`);
}

/**
 * The socket side of an ArqonClient: connection attempts over the URL list, the state machine of
 * `client-state.ts`, reconnects by `close-policy.ts` with backoff, the heartbeat, and requests
 * matched to their replies. Rooms are the client's business; it learns of connections by hooks.
 */
export class ClientConnection {
  readonly #options: ResolvedClientOptions;
  readonly #hooks: ConnectionHooks;
  readonly #pending: PendingRequests;
  readonly #backoff: Backoff | null;
  #waiters: ConnectWaiter[] = [];
  #state: ClientState = 'idle';
  #session: SocketSession | null = null;
  #heartbeat: Heartbeat | null = null;
  #welcome: Welcome | null = null;
  /** The token when it is fixed (a string option, later replaced by `refresh`); else null. */
  #fixedToken: string | null;
  #urlIndex = 0;
  #failedInRound = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped when the connection shuts down, so a token fetch still running knows it is stale. */
  #generation = 0;
  /** The close that ended the last welcomed socket, for errors that say why nothing is up. */
  #lastClose: { readonly code: number; readonly reason: string } | null = null;

  constructor(options: ResolvedClientOptions, hooks: ConnectionHooks) {
    this.#options = options;
    this.#hooks = hooks;
    this.#pending = new PendingRequests(options.requestTimeoutMs);
    this.#backoff =
      options.reconnect === null ? null : new Backoff(options.reconnect, options.random);
    this.#fixedToken = typeof options.token === 'string' ? options.token : null;
  }

  get state(): ClientState {
    return this.#state;
  }

  get welcome(): Welcome | null {
    return this.#welcome;
  }

  get url(): string {
    return this.#options.urls[this.#urlIndex] as string;
  }

  /** A token accepted by `refresh`: used for later reconnects when the token option is fixed. */
  useToken(token: string): void {
    if (this.#fixedToken !== null) this.#fixedToken = token;
  }

  connect(): Promise<Welcome> {
    if (this.#state === 'closed') return Promise.reject(closedError());
    if (this.#state === 'connected' && this.#welcome !== null)
      return Promise.resolve(this.#welcome);
    const welcome = new Promise<Welcome>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
    if (this.#state === 'idle') {
      this.#failedInRound = 0;
      this.#setState('connecting', null, '');
      void this.#attempt();
    }
    return welcome;
  }

  /** Sends `frame` with a new ref; `read` makes the result from the reply (see PendingRequests). */
  request<T>(frame: ClientFrame, read: (body: ReplyBody) => T): Promise<T> {
    const session = this.#session;
    if (this.#state !== 'connected' || session === null) {
      return Promise.reject(
        this.#state === 'closed'
          ? closedError()
          : new ArqonClientError(
              'ARQ_CLIENT_NOT_CONNECTED',
              `${frame.op}: not connected (${this.#whyNotConnected()})`,
            ),
      );
    }
    const { ref, reply } = this.#pending.open(frame.op, read);
    let text: string;
    try {
      text = JSON.stringify({ ...frame, ref });
    } catch (err) {
      const error = new ArqonClientError(
        'ARQ_CLIENT_INVALID_ARGUMENT',
        `${frame.op}: not serialisable as JSON`,
        { cause: err },
      );
      this.#pending.reject(ref, error);
      return reply;
    }
    // A socket already closing drops it; its close event fails the request.
    session.send(text);
    return reply;
  }

  /** Closes for good; `code` is the server's close code that ended it, null for `close()`. */
  shutdown(code: number | null, reason: string): void {
    if (this.#state === 'closed') return;
    this.#generation++;
    if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#stopHeartbeat();
    const session = this.#session;
    this.#session = null;
    session?.close(CLOSE_NORMAL, 'client closed');
    const error = closedError(code, reason);
    this.#pending.rejectAll(error);
    this.#settleWaiters(error);
    this.#setState('closed', code, reason);
    this.#hooks.closed();
  }

  async #fetchToken(): Promise<string> {
    const source = this.#options.token;
    if (typeof source === 'string') return this.#fixedToken ?? source;
    let token: unknown;
    try {
      token = await source();
    } catch (err) {
      throw new ArqonClientError('ARQ_CLIENT_TOKEN_FAILED', 'options.token() failed', {
        cause: err,
      });
    }
    if (typeof token !== 'string' || token === '') {
      throw new ArqonClientError(
        'ARQ_CLIENT_TOKEN_FAILED',
        `options.token() must give a non-empty string, got ${typeof token}`,
      );
    }
    return token;
  }

  async #attempt(): Promise<void> {
    const generation = this.#generation;
    const url = this.url;
    let token: string;
    try {
      token = await this.#fetchToken();
    } catch (err) {
      if (generation === this.#generation) this.#attemptFailed(err as ArqonClientError, null, '');
      return;
    }
    if (generation !== this.#generation) return;
    try {
      const session: SocketSession = new SocketSession(this.#options.WebSocket, url, token, {
        welcome: (welcome) => this.#welcomed(session, welcome),
        frame: (frame) => this.#frame(frame),
        badFrame: (error) => this.#hooks.error(error),
        closed: (code, reason) => this.#closed(session, code, reason),
      });
      this.#session = session;
    } catch (err) {
      const error = new ArqonClientError(
        'ARQ_CLIENT_CONNECT_FAILED',
        `cannot open a WebSocket to ${url}`,
        { cause: err },
      );
      this.#attemptFailed(error, null, '');
    }
  }

  #attemptFailed(error: ArqonClientError, code: number | null, reason: string): void {
    const urls = this.#options.urls;
    if (this.#state === 'connecting') {
      // connect(): one round over the URLs, then give up (a token failure gives up at once).
      this.#urlIndex = (this.#urlIndex + 1) % urls.length;
      if (error.code !== 'ARQ_CLIENT_TOKEN_FAILED' && ++this.#failedInRound < urls.length) {
        void this.#attempt();
        return;
      }
      const failure =
        error.code === 'ARQ_CLIENT_TOKEN_FAILED'
          ? error
          : new ArqonClientError(
              'ARQ_CLIENT_CONNECT_FAILED',
              `no welcome from ${urls.join(', ')}`,
              {
                cause: error,
              },
            );
      this.#setState('idle', code, reason);
      this.#settleWaiters(failure);
    } else if (this.#state === 'reconnecting') {
      if (error.code === 'ARQ_CLIENT_TOKEN_FAILED') this.#hooks.error(error);
      this.#scheduleReconnect();
    }
  }

  #scheduleReconnect(): void {
    const delay = (this.#backoff as Backoff).next();
    this.#urlIndex = (this.#urlIndex + 1) % this.#options.urls.length;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      void this.#attempt();
    }, delay);
  }

  #welcomed(session: SocketSession, welcome: Welcome): void {
    if (session !== this.#session) return;
    this.#welcome = welcome;
    this.#backoff?.reset();
    const previous = this.#state;
    // Connected before the hook (re-joins are requests), announced after: a state listener that
    // joins or publishes at once is then ordered behind the re-joins.
    this.#state = 'connected';
    if (this.#options.heartbeat && welcome.heartbeatMs > 0) {
      this.#heartbeat = new Heartbeat(
        welcome.heartbeatMs,
        () => session.lastReceivedMs,
        () => this.request({ op: 'ping' }, () => undefined),
        () => this.#heartbeatFailed(session),
      );
    }
    this.#hooks.connected(welcome);
    this.#hooks.state({ state: 'connected', previous, code: null, reason: '' });
    this.#settleWaiters(welcome);
  }

  #heartbeatFailed(session: SocketSession): void {
    if (session !== this.#session) return;
    session.close(CLOSE_HEARTBEAT_TIMEOUT, 'heartbeat timeout');
    this.#closed(session, CLOSE_ABNORMAL, 'heartbeat timeout');
  }

  #closed(session: SocketSession, code: number, reason: string): void {
    if (session !== this.#session) return;
    this.#session = null;
    this.#stopHeartbeat();
    if (!session.welcomed) {
      const error = new ArqonClientError(
        'ARQ_CLIENT_CONNECT_FAILED',
        `${session.url} closed (${code}${reason === '' ? '' : ` ${reason}`}) before its welcome`,
      );
      this.#attemptFailed(error, code, reason);
      return;
    }
    this.#lastClose = { code, reason };
    this.#pending.rejectAll(
      new ArqonClientError('ARQ_CLIENT_DISCONNECTED', `the connection closed (${code})`),
    );
    if (
      this.#backoff !== null &&
      shouldReconnect(code, typeof this.#options.token === 'function')
    ) {
      this.#setState('reconnecting', code, reason);
      this.#scheduleReconnect();
    } else {
      this.shutdown(code, reason);
    }
  }

  #frame(frame: ServerFrame): void {
    if (frame.op !== 'reply') {
      this.#hooks.frame(frame);
    } else if (frame.status === 'ok') {
      this.#pending.resolve(frame.ref, frame.body);
    } else {
      this.#pending.reject(frame.ref, new ArqonClientError(frame.error.code, frame.error.message));
    }
  }

  #whyNotConnected(): string {
    const close = this.#lastClose;
    if (close === null) return this.#state;
    const reason = close.reason === '' ? '' : `: ${close.reason}`;
    return `${this.#state}; the last connection closed with ${close.code}${reason}`;
  }

  #stopHeartbeat(): void {
    this.#heartbeat?.stop();
    this.#heartbeat = null;
  }

  #settleWaiters(outcome: Welcome | ArqonClientError): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (outcome instanceof ArqonClientError) waiter.reject(outcome);
      else waiter.resolve(outcome);
    }
  }

  #setState(state: ClientState, code: number | null, reason: string): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    this.#hooks.state({ state, previous, code, reason });
  }
}

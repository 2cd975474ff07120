import { ArqonClientError } from './errors.js';

export type ReplyBody = Readonly<Record<string, unknown>>;

interface Pending {
  readonly settle: (body: ReplyBody) => void;
  readonly reject: (error: ArqonClientError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Requests waiting for their `reply`, by `ref`. Refs are a counter in base 36: unique for the life
 * of the client, so a late reply can never settle a newer request.
 *
 * Each request has a `read` that turns the reply body into its result. It runs synchronously when
 * the reply is handled, before the next frame is: a join's bookkeeping must be in place before the
 * messages that follow its reply (which may be read in the same tick) are counted.
 */
export class PendingRequests {
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, Pending>();
  #counter = 0;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  get size(): number {
    return this.#pending.size;
  }

  /**
   * A new ref and the promise of `read(reply body)`; it rejects with what `read` throws, or with
   * ARQ_CLIENT_TIMEOUT when no reply comes.
   */
  open<T>(
    op: string,
    read: (body: ReplyBody) => T,
  ): { readonly ref: string; readonly reply: Promise<T> } {
    const ref = (++this.#counter).toString(36);
    const reply = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        reject(
          new ArqonClientError(
            'ARQ_CLIENT_TIMEOUT',
            `${op} got no reply within ${this.#timeoutMs} ms`,
          ),
        );
      }, this.#timeoutMs);
      const settle = (body: ReplyBody): void => {
        try {
          resolve(read(body));
        } catch (err) {
          reject(err);
        }
      };
      this.#pending.set(ref, { settle, reject, timer });
    });
    return { ref, reply };
  }

  /** Settles the request of `ref`; false when none waits (timed out, or not ours). */
  resolve(ref: string, body: ReplyBody): boolean {
    const pending = this.#take(ref);
    pending?.settle(body);
    return pending !== undefined;
  }

  reject(ref: string, error: ArqonClientError): boolean {
    const pending = this.#take(ref);
    pending?.reject(error);
    return pending !== undefined;
  }

  /** Fails every waiting request (the socket is gone: their replies will never come). */
  rejectAll(error: ArqonClientError): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of all) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }

  #take(ref: string): Pending | undefined {
    const pending = this.#pending.get(ref);
    if (pending === undefined) return undefined;
    this.#pending.delete(ref);
    clearTimeout(pending.timer);
    return pending;
  }
}

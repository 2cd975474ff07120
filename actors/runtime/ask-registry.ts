import { type ActorAddress, addressKey, sameThread, type ThreadAddress } from './actor-ref.js';
import { ActorError } from './errors.js';
import type { AskOutcome } from './remote-envelope.js';

interface PendingAsk {
  readonly target: ActorAddress;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: ActorError) => void;
  readonly timer: NodeJS.Timeout;
}

/** The asking side of request/reply: open asks by correlation id, each with its timeout. */
export class AskRegistry {
  readonly #pending = new Map<number, PendingAsk>();
  #nextId = 1;

  get size(): number {
    return this.#pending.size;
  }

  open(
    target: ActorAddress,
    timeoutMs: number,
  ): { correlationId: number; reply: Promise<unknown> } {
    const correlationId = this.#nextId++;
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(correlationId);
        reject(
          new ActorError(
            'ARQ_ERR_ASK_TIMEOUT',
            `ask to ${addressKey(target)} got no reply within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(correlationId, { target, resolve, reject, timer });
    });
    return { correlationId, reply };
  }

  /** Settles an open ask; a late or duplicate reply finds nothing and is ignored. */
  settle(correlationId: number, outcome: AskOutcome): void {
    const ask = this.#pending.get(correlationId);
    if (ask === undefined) return;
    this.#pending.delete(correlationId);
    clearTimeout(ask.timer);
    if (outcome.ok) {
      ask.resolve(outcome.value);
      return;
    }
    const why =
      outcome.code === 'ARQ_ERR_MAILBOX_FULL'
        ? 'its mailbox is full'
        : `it is not alive (${outcome.reason?.type ?? 'noproc'})`;
    ask.reject(
      new ActorError(outcome.code, `ask to ${addressKey(ask.target)} failed: ${why}`, {
        cause: outcome.reason,
      }),
    );
  }

  fail(correlationId: number, error: ActorError): void {
    const ask = this.#pending.get(correlationId);
    if (ask === undefined) return;
    this.#pending.delete(correlationId);
    clearTimeout(ask.timer);
    ask.reject(error);
  }

  /** Fails every ask waiting on an actor of `peer`, which became unreachable. */
  peerLost(peer: ThreadAddress): void {
    for (const [id, ask] of this.#pending) {
      if (sameThread(ask.target, peer)) {
        this.settle(id, { ok: false, code: 'ARQ_ERR_NO_PROC', reason: { type: 'noconnection' } });
      }
    }
  }

  rejectAll(error: ActorError): void {
    for (const ask of this.#pending.values()) {
      clearTimeout(ask.timer);
      ask.reject(error);
    }
    this.#pending.clear();
  }
}

import { CTRL_EPOCH } from './ring-layout.js';

/*
 * Atomics.waitAsync is in Node 20 but not in the ES2023 lib this project compiles against, so it is
 * typed here once. It never blocks the calling thread: the promise settles on a later task.
 */
type WaitAsyncResult =
  | { readonly async: false; readonly value: 'not-equal' | 'timed-out' }
  | { readonly async: true; readonly value: Promise<'ok' | 'timed-out'> };

type WaitAsync = (array: Int32Array, index: number, value: number) => WaitAsyncResult;

const waitAsync: WaitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/**
 * Resolves once `array[index]` is notified, or returns null when it already differs from `value`
 * (nothing to wait for).
 */
export function waitWhileEqual(
  array: Int32Array,
  index: number,
  value: number,
): Promise<unknown> | null {
  const result = waitAsync(array, index, value);
  return result.async ? result.value : null;
}

/**
 * One side's sleep on a ring: announces it in `flagIndex` (so the peer knows to notify), re-checks
 * that `ctrl[indexIndex]` still equals `value` and the epoch is still `epoch` (the announce-then-
 * re-check pairs with the peer's store-index-then-load-flag: with sequentially consistent atomics
 * one side always sees the other, so no wake is lost), then sleeps until `indexIndex` is notified.
 * Returns null, flag cleared, when there is nothing to wait for; the promise clears the flag and
 * lets the loop go when it settles.
 */
export function sleepOnRing(
  ctrl: Int32Array,
  flagIndex: number,
  indexIndex: number,
  value: number,
  epoch: number,
  keepAlive: LoopKeepAlive,
): Promise<void> | null {
  Atomics.store(ctrl, flagIndex, 1);
  const pending =
    Atomics.load(ctrl, indexIndex) === value && Atomics.load(ctrl, CTRL_EPOCH) === epoch
      ? waitWhileEqual(ctrl, indexIndex, value)
      : null;
  if (pending === null) {
    Atomics.store(ctrl, flagIndex, 0);
    return null;
  }
  keepAlive.hold();
  return pending.then(() => {
    // A sleep ended by a reset (the peer's side reopened in a new epoch) must not clear the flag
    // a new sleeper of that epoch may have set already: its wake-up would be lost. A peer thread
    // that died never gets here; an inline shard's old side does, a task after the reset.
    if (Atomics.load(ctrl, CTRL_EPOCH) === epoch) Atomics.store(ctrl, flagIndex, 0);
    keepAlive.release();
  });
}

const KEEP_ALIVE_PERIOD_MS = 2 ** 30;
function noop(): void {}

/**
 * A pending Atomics.waitAsync does not keep Node's event loop alive: a worker whose only job is to
 * wait for ring data would simply exit. This holds one interval handle per waiting side and refs it
 * only while a wait is pending; ref/unref is a counter flip, cheap next to the futex wake.
 */
export class LoopKeepAlive {
  #timer: NodeJS.Timeout | null = null;

  hold(): void {
    if (this.#timer === null) this.#timer = setInterval(noop, KEEP_ALIVE_PERIOD_MS);
    else this.#timer.ref();
  }

  release(): void {
    this.#timer?.unref();
  }
}

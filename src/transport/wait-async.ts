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

/*
 * A ring whose two ends one thread holds (an inline shard's rings, both opened in the edge's thread)
 * needs no Atomics at all to wake a side: the sleeper is this thread's own promise, resolved by the
 * notify. Atomics.notify would post a task to this same thread and wake its loop for it, which at a
 * few publishes per millisecond costs more than the publish. The sleeper goes on at the loop's
 * next check phase (setImmediate), not in a microtask: what every socket sent in one poll of the
 * loop is then taken in one drain, at no timer's delay (against a microtask per publish, and a
 * 1 ms poll, both measured in bench/RESULTS.md, "inline rings"). Per thread (module state is).
 */
const endsOpened = new WeakMap<SharedArrayBuffer, number>();
const localSleepers = new WeakMap<SharedArrayBuffer, Map<number, () => void>>();

/** A producer or consumer of the ring in `buffer` was made in this thread. */
export function openedRingEnd(buffer: SharedArrayBuffer): void {
  endsOpened.set(buffer, (endsOpened.get(buffer) ?? 0) + 1);
}

/** Wakes whoever sleeps on `ctrl[index]`: this thread's own sleeper directly, else by Atomics. */
export function notifyRing(ctrl: Int32Array, index: number): void {
  const sleepers = localSleepers.get(ctrl.buffer as SharedArrayBuffer);
  const wake = sleepers?.get(index);
  if (wake !== undefined) {
    sleepers?.delete(index);
    wake();
    return;
  }
  Atomics.notify(ctrl, index);
}

function sleepLocally(ctrl: Int32Array, index: number): Promise<unknown> {
  const buffer = ctrl.buffer as SharedArrayBuffer;
  let sleepers = localSleepers.get(buffer);
  if (sleepers === undefined) {
    sleepers = new Map();
    localSleepers.set(buffer, sleepers);
  }
  const map = sleepers;
  return new Promise<void>((resolve) => map.set(index, () => setImmediate(resolve)));
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
  const sameThread = (endsOpened.get(ctrl.buffer as SharedArrayBuffer) ?? 0) >= 2;
  const pending =
    Atomics.load(ctrl, indexIndex) === value && Atomics.load(ctrl, CTRL_EPOCH) === epoch
      ? sameThread
        ? sleepLocally(ctrl, indexIndex)
        : waitWhileEqual(ctrl, indexIndex, value)
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

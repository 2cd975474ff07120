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

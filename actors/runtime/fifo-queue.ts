const MIN_CAPACITY = 16;

/**
 * A FIFO queue on a growable ring buffer: O(1) push and shift, unlike Array#shift which moves every
 * element. Capacity is a power of two so wrapping is a mask; it halves again when the queue drains
 * to a quarter, so one burst does not pin a large array for the actor's whole life.
 *
 *   slots: [ . . C D E . . . A B ]      head -> A, size 5: order A B C D E
 */
export class FifoQueue<T> {
  #slots: (T | undefined)[] = new Array(MIN_CAPACITY);
  #head = 0;
  #size = 0;

  get length(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.#slots.length) this.#resize(this.#slots.length * 2);
    this.#slots[(this.#head + this.#size) & (this.#slots.length - 1)] = item;
    this.#size++;
  }

  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#slots.length - 1);
    this.#size--;
    if (this.#slots.length > MIN_CAPACITY && this.#size <= this.#slots.length / 4) {
      this.#resize(this.#slots.length / 2);
    }
    return item;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#slots[this.#head];
  }

  clear(): void {
    this.#slots = new Array(MIN_CAPACITY);
    this.#head = 0;
    this.#size = 0;
  }

  #resize(capacity: number): void {
    const next: (T | undefined)[] = new Array(capacity);
    const mask = this.#slots.length - 1;
    for (let i = 0; i < this.#size; i++) next[i] = this.#slots[(this.#head + i) & mask];
    this.#slots = next;
    this.#head = 0;
  }
}

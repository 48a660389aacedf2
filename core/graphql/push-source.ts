/**
 * An async iterator fed by `push`: what is pushed while nobody waits is queued (unbounded: its producer
 * bounds it), `end` (or `return`) drops the queue and finishes it. The fan-out's groups feed their
 * shared execution with it (ws-fan-out.ts).
 */
export class PushSource implements AsyncIterableIterator<unknown> {
  #queue: unknown[] = [];
  #waiting: ((result: IteratorResult<unknown>) => void) | null = null;
  #ended = false;
  push(value: unknown) {
    if (this.#ended) return;
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting) waiting({ value, done: false });
    else this.#queue.push(value);
  }
  end() {
    this.#ended = true;
    this.#queue.length = 0;
    this.#waiting?.({ value: undefined, done: true });
    this.#waiting = null;
  }
  next(): Promise<IteratorResult<unknown>> {
    if (this.#queue.length > 0) return Promise.resolve({ value: this.#queue.shift(), done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }
  async return(): Promise<IteratorResult<unknown>> {
    this.end();
    return { value: undefined, done: true };
  }
  [Symbol.asyncIterator]() {
    return this;
  }
}

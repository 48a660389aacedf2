/** Timed waits that can all be cut short at once (the dispatcher's close). */
export class CancellableWaits {
  readonly #pending = new Set<() => void>();

  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#pending.add(done);
    });
  }

  /** Ends every pending wait now. */
  cutAll(): void {
    for (const cut of [...this.#pending]) cut();
  }
}

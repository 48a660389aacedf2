/** The turns and background work in flight in this process, which shutdown waits for. */
export function createInFlight(now: () => number) {
  const inFlight = new Set<Promise<unknown>>();
  return {
    track<T>(work: Promise<T>): Promise<T> {
      inFlight.add(work);
      void work.then(
        () => inFlight.delete(work),
        () => inFlight.delete(work),
      );
      return work;
    },
    /** Waits until nothing is in flight, or `timeoutMs` passed. */
    async drain(timeoutMs: number): Promise<void> {
      const deadline = now() + timeoutMs;
      while (inFlight.size > 0 && now() < deadline) {
        await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 50))]);
      }
    },
  };
}

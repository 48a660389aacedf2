import { rateLimitRefusals } from '../metrics/registry.ts';

/**
 * Counted slots per key (open sockets per address, streams per token) in this process: `acquire`
 * returns a release function, or null when the key already holds `max` (0: unlimited). Keys with no
 * slot left held are forgotten, so the map only holds what is open. A refusal is counted under
 * `scope` in `omnibot_rate_limit_refusals_total` when one is given.
 */
export class SlotCounter {
  readonly #held = new Map<string, number>();
  readonly max: number;
  readonly #scope: string | undefined;

  constructor(max: number, scope?: string) {
    this.max = max;
    this.#scope = scope;
  }

  acquire(key: string): (() => void) | null {
    const held = this.#held.get(key) ?? 0;
    if (this.max > 0 && held >= this.max) {
      if (this.#scope) rateLimitRefusals.inc({ scope: this.#scope });
      return null;
    }
    this.#held.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.#held.get(key) ?? 1) - 1;
      if (now > 0) this.#held.set(key, now);
      else this.#held.delete(key);
    };
  }

  held(key: string): number {
    return this.#held.get(key) ?? 0;
  }
}

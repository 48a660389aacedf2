import type { RedisWithScripts } from './redis-scripts.ts';

/**
 * The readers of the store's indexes (the watcher's checks zsets, the recency indexes): one key each
 * in the classic layout, one per shard in the sharded one (fanned out, merged here).
 */
export function indexReaders(redis: RedisWithScripts, indexes: readonly string[], checks: readonly string[]) {
  let start = 0;
  return {
    /**
     * Due ids, at most `limit`. Sharded: a ZCOUNT per shard at once, then CLAIM_DUE on the shards with
     * due ids in turn, from a start that moves on each call (past the shard that filled the batch), so
     * no shard waits behind busier ones. A shard that fails is skipped (its checks come later); the
     * error is thrown only when nothing could be claimed.
     */
    async claimDueChecks(now: number, leaseMs: number, limit: number): Promise<string[]> {
      const [only] = checks;
      if (checks.length === 1 && only) return redis.omnibotClaimDue(only, now, leaseMs, limit);
      const counts = await Promise.allSettled(checks.map((key) => redis.zcount(key, '-inf', now)));
      const first = start;
      start = (first + 1) % checks.length;
      const due: string[] = [];
      let failure: unknown;
      for (let i = 0; i < checks.length && due.length < limit; i++) {
        const shard = (first + i) % checks.length;
        const count = counts[shard];
        if (count?.status === 'rejected') failure ??= count.reason;
        if (count?.status !== 'fulfilled' || count.value === 0) continue;
        try {
          due.push(...(await redis.omnibotClaimDue(checks[shard]!, now, leaseMs, limit - due.length)));
        } catch (error) {
          failure ??= error;
        }
        if (due.length >= limit) start = (shard + 1) % checks.length;
      }
      if (failure !== undefined && due.length === 0) throw failure;
      return due;
    },

    /**
     * Most recently updated first. Sharded: the sum of the ZCARDs, and each shard's first
     * `offset + limit` merged by score (ties as ZREVRANGE orders them: id descending). Cost
     * shards × (offset + limit) entries: fine for the admin pages; deep offsets want a score cursor.
     */
    async listConversations(offset: number, limit: number): Promise<{ total: number; ids: string[] }> {
      const [only] = indexes;
      if (indexes.length === 1 && only) {
        const [total, ids] = await Promise.all([redis.zcard(only), redis.zrevrange(only, offset, offset + limit - 1)]);
        return { total, ids };
      }
      const end = offset + limit - 1;
      const [totals, ranges] = await Promise.all([
        Promise.all(indexes.map((key) => redis.zcard(key))),
        limit > 0 ? Promise.all(indexes.map((key) => redis.zrevrange(key, 0, end, 'WITHSCORES'))) : [],
      ]);
      const entries: { id: string; score: number }[] = [];
      for (const range of ranges) {
        for (let i = 0; i + 1 < range.length; i += 2) entries.push({ id: range[i]!, score: Number(range[i + 1]) });
      }
      entries.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      return {
        total: totals.reduce((sum, n) => sum + n, 0),
        ids: entries.slice(offset, offset + limit).map((entry) => entry.id),
      };
    },
  };
}

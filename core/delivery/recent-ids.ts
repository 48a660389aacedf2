/**
 * A bounded memory of ids already seen (the most recent `limit`): `true` the first time an id is
 * given, `false` after. For per-process dedup of notices and platform resends.
 */
export function recentIds<T>(limit: number): (id: T) => boolean {
  const seen = new Set<T>();
  return (id) => {
    if (seen.has(id)) return false;
    seen.add(id);
    if (seen.size > limit) seen.delete(seen.values().next().value as T);
    return true;
  };
}

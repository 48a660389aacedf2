/** How the store's codecs keep times: an ISO time as epoch ms when it reads back the same. */

const isoOf = (ms: number) => new Date(ms).toISOString();

/** A turn writes the same few times several times (its meta, events, transcript): the latest kept. */
const recent = new Map<string, number | string>();
const RECENT_TIMES = 64;

/** An ISO time as epoch ms when it reads back the same, else as it is. */
export function compactTime(at: string): number | string {
  let compact = recent.get(at);
  if (compact === undefined) {
    const ms = Date.parse(at);
    compact = Number.isFinite(ms) && isoOf(ms) === at ? ms : at;
    if (recent.size >= RECENT_TIMES) recent.clear();
    recent.set(at, compact);
  }
  return compact;
}

/** A stored time as it was written (epoch ms back to ISO; anything else as it is). */
export const timeOf = (t: unknown) => (typeof t === 'number' ? isoOf(t) : t);

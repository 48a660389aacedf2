/**
 * Deterministic mutation of recorded payloads, for "nothing answers 5xx" tests: the same seed gives
 * the same bodies on every run.
 */

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const DEEP = '<deep>';

/**
 * Values of the wrong type or range, as JSON text (parsed afresh each time, so `__proto__` stays an
 * own key as it would arrive over the wire).
 */
export const NASTY_JSON = [
  'null',
  'true',
  '0',
  '-1',
  '1e15',
  '1e308',
  '-1e15',
  '0.5',
  '""',
  '"abc"',
  '"100000000000000"',
  '"constructor"',
  '"__proto__"',
  '"toString"',
  '{}',
  '[]',
  '[null]',
  '[[null]]',
  '[{}]',
  '{"toString":1,"valueOf":1}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"id":{}}',
  deepArray(20),
  // Spliced in as text after stringifying (see mutatedBodies): JSON.stringify itself would overflow.
  JSON.stringify(DEEP),
  JSON.stringify('x'.repeat(3000)),
  '"\\u0000\\ud800"',
  '"🙏"',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

function pathsOf(value: Json, path: Path = [], into: Path[] = []): Path[] {
  into.push(path);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) pathsOf(item, [...path, i], into);
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) pathsOf(value[key]!, [...path, key], into);
  }
  return into;
}

function parentOf(root: Json, path: Path): Record<string | number, Json> | null {
  let node: Json = root;
  for (const step of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string | number, Json>)[step]!;
  }
  return node !== null && typeof node === 'object' ? (node as Record<string | number, Json>) : null;
}

/** One random change: a value replaced by a nasty one, a key removed, or a prototype key added. */
function mutate(root: Json, random: () => number): Json {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const nasty = () => JSON.parse(pick(NASTY_JSON)) as Json;
  const path = pick(pathsOf(root));
  if (path.length === 0) return random() < 0.5 ? nasty() : root;
  const parent = parentOf(root, path);
  if (!parent) return root;
  const key = path[path.length - 1]!;
  const roll = random();
  if (roll < 0.7) parent[key] = nasty();
  else if (roll < 0.85 && !Array.isArray(parent)) delete parent[key];
  else
    Object.defineProperty(parent, pick(['__proto__', 'constructor', 'toString']), {
      value: nasty(),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  return root;
}

/** `count` mutated copies of `base` (1–3 changes each), the same for the same seed. */
export function mutatedBodies(base: unknown, count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    let body = JSON.parse(JSON.stringify(base)) as Json;
    const changes = 1 + Math.floor(random() * 3);
    for (let c = 0; c < changes; c++) body = mutate(body, random);
    bodies.push(JSON.stringify(body).replaceAll(JSON.stringify(DEEP), deepArray(5000)));
  }
  return bodies;
}

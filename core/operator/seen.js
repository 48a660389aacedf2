// What the operator has seen of each conversation, for this browser tab (sessionStorage, so a reload
// keeps it): the time (`at`) of the newest message shown to them while the conversation was open.
// A conversation whose user wrote after that is marked in the waiting list.

const STORAGE_KEY = 'omnibot.operator.seen';
/** Conversations remembered at most (the oldest are forgotten first). */
const MAX_KEPT = 500;

/** conversation id → ISO time of the newest message seen. A Map: no id can reach an object's prototype. */
const seen = read();
const listeners = new Set();

function read() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]');
    return new Map(
      Array.isArray(stored)
        ? stored.filter((pair) => typeof pair?.[0] === 'string' && typeof pair?.[1] === 'string')
        : [],
    );
  } catch {
    return new Map();
  }
}

function save() {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify([...seen].slice(-MAX_KEPT)));
  } catch {
    // A full or disabled storage only loses the marks on the next reload.
  }
}

/** The `at` of the newest message the operator saw in conversation `id` (null: never opened). */
export const seenAt = (id) => seen.get(id) ?? null;

/** The operator saw conversation `id` up to the message at `at` (an older time changes nothing). */
export function markSeen(id, at) {
  const before = seen.get(id);
  if (!at || (before && Date.parse(before) >= Date.parse(at))) return;
  seen.delete(id); // re-inserted last: the most recently seen are kept longest
  seen.set(id, at);
  save();
  for (const listener of listeners) listener(id);
}

/** Forgets the conversations no longer waiting (`waiting`: the ids that still are). */
export function forgetAllBut(waiting) {
  let changed = false;
  for (const id of seen.keys()) {
    if (!waiting.has(id)) changed = seen.delete(id) || changed;
  }
  if (changed) save();
}

/** Calls `listener(id)` after each change; returns the function that stops it. */
export function onSeen(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

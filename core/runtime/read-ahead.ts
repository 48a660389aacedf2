/**
 * Reads a turn's inputs (the stored conversation, the sender's link) while its message id is still
 * being claimed, so that claim and reads share one round trip to the store instead of following each
 * other. A read made ahead is used only while nothing this process did can have changed what it
 * read: no turn of that conversation was queued in this process when it was made, and none was
 * queued since (the runtime also drops it when the claim had to wait for another holder). A turn of
 * another process in the few milliseconds between is caught as ever by the commit's version check.
 */
export interface ReadAhead<T> {
  /** The value read ahead, or undefined when it may be stale (read again) or failed. */
  take(): Promise<T | undefined>;
  /** No longer needed (a duplicate, a refusal): forget it. */
  drop(): void;
}

interface Watch {
  stale: boolean;
}

interface Entry {
  /** Turns of the conversation queued or running in this process. */
  busy: number;
  watches: Set<Watch>;
}

export function createReadAheads() {
  const entries = new Map<string, Entry>();
  const entryOf = (id: string) => {
    let entry = entries.get(id);
    if (!entry) {
      entry = { busy: 0, watches: new Set() };
      entries.set(id, entry);
    }
    return entry;
  };
  const tidy = (id: string, entry: Entry) => {
    if (entry.busy === 0 && entry.watches.size === 0) entries.delete(id);
  };
  return {
    /** Starts `read` now; its value stays usable until a turn of `conversationId` is queued. */
    start<T>(conversationId: string, read: () => Promise<T>): ReadAhead<T> {
      const entry = entryOf(conversationId);
      const watch: Watch = { stale: entry.busy > 0 };
      entry.watches.add(watch);
      // Settled here: a failed read is read again by the turn (and fails there, answered as usual).
      const value = read().then(
        (found) => found,
        () => undefined,
      );
      const drop = () => {
        if (!entry.watches.delete(watch)) return;
        watch.stale = true;
        tidy(conversationId, entry);
      };
      return {
        take: () => {
          const fresh = !watch.stale;
          drop();
          return fresh ? value : Promise.resolve(undefined);
        },
        drop,
      };
    },
    /**
     * Runs a turn of the conversation (queued by `queue`): what was read ahead for it before is stale
     * from now on. Read ahead values must be taken before.
     */
    async around<T>(conversationId: string, queue: () => Promise<T>): Promise<T> {
      const entry = entryOf(conversationId);
      for (const watch of entry.watches) watch.stale = true;
      entry.watches.clear();
      entry.busy++;
      try {
        return await queue();
      } finally {
        entry.busy--;
        tidy(conversationId, entry);
      }
    },
  };
}

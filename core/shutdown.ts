/** Waits for `work` at most `ms` (at least `floorMs`); true when it ended in time. Never rejects. */
export async function within(work: Promise<unknown>, ms: number, floorMs = 0): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(ms, floorMs));
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A deadline `ms` from now: `left()` is what remains of it (never negative). */
export function deadlineIn(ms: number): { left(): number } {
  const at = Date.now() + ms;
  return { left: () => Math.max(0, at - Date.now()) };
}

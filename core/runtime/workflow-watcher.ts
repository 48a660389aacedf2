import type { Logger } from '../log.ts';
import type { ConversationStore } from '../store/types.ts';

/**
 * Looks at conversations waiting on a workflow when they are due (deadline or poll interval): a
 * run that ended without calling back is finished from its status, a run lost with its process is
 * resumed here, an expired one times out. Due checks are claimed atomically, so several gateway
 * processes share the work without doubling it.
 */
export function startWorkflowWatcher(deps: {
  store: ConversationStore;
  check: (conversationId: string) => Promise<void>;
  intervalMs: number;
  logger: Logger;
  batch?: number;
}): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> | null = null;
  const leaseMs = Math.max(deps.intervalMs * 2, 1_000);

  const tick = async () => {
    try {
      const due = await deps.store.claimDueChecks(Date.now(), leaseMs, deps.batch ?? 50);
      await Promise.all(due.map((id) => deps.check(id)));
    } catch (error) {
      deps.logger.warn({ err: error }, 'workflow watcher tick failed');
    }
  };
  const timer = setInterval(() => {
    if (stopped || running) return; // a slow tick is not stacked behind another
    running = tick().finally(() => {
      running = null;
    });
  }, deps.intervalMs);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

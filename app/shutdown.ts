import type { CmmsClient } from '../core/cmms/client.ts';
import type { Config } from '../core/config.ts';
import type { EventBus } from '../core/events/bus.ts';
import type { OwnCallsListener } from '../core/http/own-calls.ts';
import type { ServerGate } from '../core/http/server-gate.ts';
import type { InspectionHub } from '../core/inspect/hub.ts';
import type { Logger } from '../core/log.ts';
import type { PluginRegistry } from '../core/plugin.ts';
import type { RedisClient } from '../core/redis-connection.ts';
import type { ConversationRuntime } from '../core/runtime/types.ts';
import { deadlineIn, within } from '../core/shutdown.ts';
import type { ConversationStore } from '../core/store/types.ts';
import type { WorkflowRunner } from '../core/workflows/types.ts';

/** Everything a shutdown stops, in the order it stops them. */
export interface RunningParts {
  config: Pick<Config, 'shutdownGraceMs'>;
  logger: Logger;
  gate: ServerGate;
  ownCalls: OwnCallsListener;
  watcher: { stop(): Promise<void> };
  runtime: ConversationRuntime;
  runner: WorkflowRunner;
  /** Closed in order once the work is done, each with the time left (the dispatcher, GraphQL). */
  closers: Array<(msLeft: number) => Promise<void>>;
  registry: PluginRegistry;
  inspection: InspectionHub;
  bus: EventBus;
  cmms: CmmsClient;
  store: ConversationStore;
  redis?: RedisClient;
}

/**
 * Graceful, within SHUTDOWN_GRACE_MS (its last part kept for closing connections): stops accepting
 * at once (the listener closes, the port is free; open connections get 503), finishes in-flight
 * turns and embedded workflows, then closes everything.
 */
export async function shutDown(parts: RunningParts): Promise<void> {
  const { config, logger, gate, runtime, runner } = parts;
  const grace = deadlineIn(config.shutdownGraceMs);
  const reserve = Math.min(1_000, config.shutdownGraceMs / 4);
  const work = () => Math.max(0, grace.left() - reserve);
  const publicClosed = gate.close();
  await within(parts.watcher.stop(), work());
  await runtime.drain(work());
  // Embedded workflows still running finish and call back (on the own-calls listener); their turns
  // are drained after them. The runner is closed only after that last drain.
  if (runner.kind === 'local') await within(runner.close(), work());
  await runtime.drain(work());
  const closed = await within(closeAll(parts, grace.left), grace.left(), 100);
  if (!closed) {
    logger.warn({ graceMs: config.shutdownGraceMs }, 'shutdown grace expired: closing connections as they are');
    parts.redis?.disconnect();
  }
  parts.ownCalls.close();
  gate.closeConnections(true);
  await within(publicClosed, 100);
  logger.info({}, 'stopped');
}

async function closeAll(parts: RunningParts, msLeft: () => number): Promise<void> {
  for (const close of parts.closers) {
    await close(msLeft()).catch((error) => parts.logger.warn({ err: error }, 'close failed'));
  }
  for (const plugin of parts.registry.list()) await plugin.close?.();
  parts.inspection.close();
  await parts.bus.close();
  await parts.runner.close();
  await parts.cmms.close();
  await parts.store.close();
}

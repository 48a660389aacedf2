import { type Gateway, startGateway } from './app/gateway.ts';
import { createLogger } from './core/log.ts';

/** `npm start`: the gateway from env; SIGTERM/SIGINT stop it gracefully within SHUTDOWN_GRACE_MS. */
const fallbackLogger = createLogger('info', { service: 'omnibot' });
/** Past the grace, the process exits anyway (the shutdown itself is bounded; this is the last resort). */
const HARD_EXIT_MARGIN_MS = 2_000;

let gateway: Gateway | undefined;
let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  if (!gateway) {
    // Still starting (e.g. waiting for Redis): nothing was accepted yet.
    fallbackLogger.info({ signal }, 'stopped before start');
    process.exit(0);
  }
  const { logger, config } = gateway;
  setTimeout(() => {
    logger.error({ graceMs: config.shutdownGraceMs }, 'shutdown overran its grace: exiting');
    process.exit(1);
  }, config.shutdownGraceMs + HARD_EXIT_MARGIN_MS).unref();
  // `stop` closes the listener before it returns: once this line is out, new connections are refused.
  const stopped = gateway.stop();
  logger.info({ signal }, 'shutting down');
  stopped.then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('unhandledRejection', (reason) =>
  (gateway?.logger ?? fallbackLogger).error({ err: reason }, 'unhandled rejection'),
);

try {
  gateway = await startGateway(process.env);
} catch (error) {
  fallbackLogger.error({ err: error }, 'failed to start');
  process.exit(1);
}

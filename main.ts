import { startGateway } from './core/gateway.ts';
import { createLogger } from './core/log.ts';

/** `npm start`: the gateway from env; SIGTERM/SIGINT stop it gracefully. */
const fallbackLogger = createLogger('info', { service: 'omnibot' });

try {
  const gateway = await startGateway(process.env);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.logger.info({ signal }, 'shutting down');
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        gateway.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => gateway.logger.error({ err: reason }, 'unhandled rejection'));
} catch (error) {
  fallbackLogger.error({ err: error }, 'failed to start');
  process.exit(1);
}

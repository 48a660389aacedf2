import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './middleware.ts';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Retry-After (seconds) of the gate's 503s: a start-up or a restart takes a few seconds. */
const RETRY_AFTER_SECONDS = 2;

/**
 * The HTTP server's front door. Bound before the app is assembled (with PORT=0 the port decides the
 * loopback URLs), it answers every request at once: 503 with Retry-After while starting (`/healthz`
 * says the process is alive), the app once `open`, and 503 with `Connection: close` after `close`,
 * which also closes the listener at once (new connections are refused; the port is free).
 */
export interface ServerGate {
  open(listener: RequestListener): void;
  /** Stops accepting now; resolves once every connection has ended (see `closeConnections`). */
  close(): Promise<void>;
  /** Ends the connections still open (idle keep-alives, or all of them when `all`). */
  closeConnections(all?: boolean): void;
}

export function gateServer(server: Server): ServerGate {
  let phase: 'starting' | 'open' | 'closing' = 'starting';
  let listener: RequestListener | undefined;
  let closed: Promise<void> | undefined;

  const refuse = (req: IncomingMessage, res: ServerResponse) => {
    const starting = phase === 'starting';
    if (starting && (req.url === '/healthz' || req.url?.startsWith('/healthz?'))) {
      res.writeHead(200, { 'content-type': 'application/json', ...SECURITY_HEADERS });
      res.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    const body = starting
      ? { error: 'starting', message: 'the gateway is starting; retry shortly' }
      : { error: 'shutting_down', message: 'the gateway is shutting down; retry (another process will answer)' };
    res.writeHead(503, {
      'content-type': 'application/json',
      'retry-after': String(RETRY_AFTER_SECONDS),
      ...SECURITY_HEADERS,
      ...(starting ? {} : { connection: 'close' }),
    });
    res.end(JSON.stringify(body));
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (phase === 'open' && listener) listener(req, res);
    else refuse(req, res);
  });

  return {
    open(app) {
      if (phase !== 'starting') return;
      listener = app;
      phase = 'open';
    },
    close() {
      phase = 'closing';
      closed ??= new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closed;
    },
    closeConnections(all = false) {
      if (all) server.closeAllConnections();
      else server.closeIdleConnections();
    },
  };
}

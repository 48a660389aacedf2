import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionArgs } from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { addressOfIncoming } from '../limits/client-address.ts';
import type { Limits } from '../limits/index.ts';
import type { Logger } from '../log.ts';
import { rateLimitRefusals } from '../metrics/registry.ts';
import { type AuthSecrets, connectionParamsToken, type Principal, principalFromToken } from './auth.ts';
import type { DirectDeliverySlot, SubscriberTransport } from './context.ts';
import { graphqlError, isGraphQLError } from './errors.ts';
import { createWsFanOut, type FanOutOperation, shareKeyOf } from './ws-fan-out.ts';
import { GRAPHQL_PATH, type GraphqlYoga } from './yoga.ts';

export interface GraphqlWsOptions {
  yoga: GraphqlYoga;
  secrets: AuthSecrets;
  logger: Logger;
  /** Ping interval; a socket that misses a pong within it is terminated. */
  keepAliveMs?: number;
  /** Time a client has to send `connection_init`. */
  connectionInitWaitTimeoutMs?: number;
  /** Default: the limits' `wsSubscriptionsPerSocket`, else 16; 0: unlimited. */
  maxOperationsPerSocket?: number;
  /** Larger frames close the socket with 1009 (logged as one JSON line, never a stack trace). */
  maxPayloadBytes?: number;
  /** Sockets per client address and per conversation token (none when absent). */
  limits?: Limits;
  /** On close, time sockets get to finish the closing handshake before they are terminated. */
  closeGraceMs?: number;
}

export interface GraphqlWsServer {
  /** Takes `/graphql` upgrade requests; returns false (socket untouched) for other paths. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Open sockets. */
  connections(): number;
  /** Groups of identical subscriptions sharing one execution (ws-fan-out.ts). */
  fanOutGroups(): number;
  close(): Promise<void>;
}

/** Seconds a client refused for too many sockets is told to wait. */
const SOCKET_RETRY_AFTER_SECONDS = 30;

type Extra = {
  principal: Principal;
  transport: SubscriberTransport;
};

/** Carried to the `execute`/`subscribe` hooks as the operation's root value (the resolvers ignore it). */
interface Operation extends FanOutOperation {
  execute: (args: ExecutionArgs) => unknown;
}

/**
 * graphql-ws (`graphql-transport-ws`) on its own `ws` server (noServer): authenticated once at
 * `connection_init`, then each operation runs through yoga's envelop (same schema, limits, error
 * masking and per-operation access checks as HTTP).
 */
export function createGraphqlWsServer(options: GraphqlWsOptions): GraphqlWsServer {
  const { yoga, secrets, logger, limits } = options;
  const maxOperations = options.maxOperationsPerSocket ?? limits?.settings.wsSubscriptionsPerSocket ?? 16;
  const trustedHops = limits?.settings.trustedProxyHops ?? 0;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 64 * 1024 });
  const fanOut = createWsFanOut({ logger });

  const server = useServer<Record<string, unknown>, Extra>(
    {
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 5_000,
      // Always: no error messages in close reasons, no plain-text warnings on stdout (logs are JSON).
      isProd: true,
      onConnect(ctx) {
        const principal = principalFromToken(secrets, connectionParamsToken(ctx.connectionParams));
        if (principal.kind === 'anonymous') return false; // graphql-ws closes with 4403 Forbidden
        const socket = ctx.extra.socket;
        if (principal.kind === 'conversation' && limits) {
          const release = limits.wsSocketsByToken.acquire(principal.conversationId);
          if (!release) {
            logger.debug({ max: limits.wsSocketsByToken.max }, 'refusing a websocket: too many for its token');
            // 1013 Try Again Later, sent before graphql-ws's own 4403 (which clients read as a bad token).
            socket.close(1013, 'too many connections for this token');
            return false;
          }
          socket.once('close', release);
        }
        ctx.extra.principal = principal;
        ctx.extra.transport = {
          bufferedAmount: () => socket.bufferedAmount,
          drop(reason) {
            logger.warn({ reason, bufferedAmount: socket.bufferedAmount }, 'terminating a websocket subscriber');
            socket.terminate();
          },
          restart(reason) {
            if (socket.readyState !== socket.OPEN) return;
            logger.info({ reason }, 'asking a websocket subscriber to reconnect');
            socket.close(1012, 'Service Restart');
          },
        };
        return true;
      },
      async onSubscribe(ctx, id, payload) {
        // graphql-ws has already registered this operation in ctx.subscriptions.
        if (maxOperations > 0 && Object.keys(ctx.subscriptions).length > maxOperations) {
          rateLimitRefusals.inc({ scope: 'ws_subscriptions_per_socket' });
          return [graphqlError('RATE_LIMITED', `at most ${maxOperations} operations per connection`)];
        }
        const slot: DirectDeliverySlot = {};
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          principal: ctx.extra.principal,
          transport: ctx.extra.transport,
          directDelivery: slot,
          clientAddress: addressOfIncoming(ctx.extra.request, trustedHops),
          params: payload,
        } as unknown as Parameters<GraphqlYoga['getEnveloped']>[0]);
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
        } catch (error) {
          if (isGraphQLError(error)) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        let contextValue: unknown;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          // Thrown, it would reach graphql-ws, which prints it to stdout with a stack trace.
          logger.error({ err: error }, 'could not build a websocket operation context');
          return [graphqlError('INTERNAL_SERVER_ERROR', 'unexpected error')];
        }
        const rootValue: Operation = {
          execute,
          subscribe,
          id,
          socket: ctx.extra.socket,
          shareKey: shareKeyOf(payload, ctx.extra.principal),
          slot,
        };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
          rootValue,
        };
      },
      execute: (args) => (args.rootValue as Operation).execute(args) as OperationResult,
      // Identical subscriptions share one execution and one serialization of each event (ws-fan-out.ts).
      subscribe: async (args) => {
        const operation = args.rootValue as Operation;
        return fanOut.attach(operation, args, await operation.subscribe(args)) as OperationResult;
      },
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );
  // graphql-ws prints socket errors (an oversized frame, a broken frame) with console.error and a
  // stack trace: replaced by one JSON line. `ws` has already failed the connection (e.g. 1009).
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      logger.info({ code: error.code, reason: error.message }, 'websocket closed on a protocol error');
      if (socket.readyState === socket.OPEN) socket.close(1011, 'Internal error');
    });
  });

  return {
    handleUpgrade(request, socket, head) {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path !== GRAPHQL_PATH) return false;
      const release = limits?.wsSocketsByAddress.acquire(addressOfIncoming(request, trustedHops));
      if (release === null) {
        logger.debug({ max: limits?.wsSocketsByAddress.max }, 'refusing a websocket: too many from its address');
        socket.end(
          `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${SOCKET_RETRY_AFTER_SECONDS}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        );
        return true;
      }
      // Released when the TCP socket closes, whether or not the upgrade went through.
      if (release) socket.once('close', release);
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
      return true;
    },
    connections: () => wss.clients.size,
    fanOutGroups: () => fanOut.groups(),
    async close() {
      // 1001 Going away: graphql-ws clients reconnect (to another process behind the balancer).
      const closing = [...wss.clients].map(
        (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()).close(1001, 'Going away')),
      );
      const grace = new Promise<void>((resolve) => setTimeout(resolve, options.closeGraceMs ?? 1_000).unref());
      await Promise.race([Promise.all(closing), grace]);
      for (const socket of wss.clients) socket.terminate();
      await server.dispose();
    },
  };
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionArgs } from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '../log.ts';
import { type AuthSecrets, connectionParamsToken, type Principal, principalFromToken } from './auth.ts';
import type { SubscriberTransport } from './context.ts';
import { graphqlError, isGraphQLError } from './errors.ts';
import { GRAPHQL_PATH, type GraphqlYoga } from './yoga.ts';

export interface GraphqlWsOptions {
  yoga: GraphqlYoga;
  secrets: AuthSecrets;
  logger: Logger;
  /** Ping interval; a socket that misses a pong within it is terminated. */
  keepAliveMs?: number;
  /** Time a client has to send `connection_init`. */
  connectionInitWaitTimeoutMs?: number;
  maxOperationsPerSocket?: number;
  maxPayloadBytes?: number;
  /** On close, time sockets get to finish the closing handshake before they are terminated. */
  closeGraceMs?: number;
}

export interface GraphqlWsServer {
  /** Takes `/graphql` upgrade requests; returns false (socket untouched) for other paths. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Open sockets. */
  connections(): number;
  close(): Promise<void>;
}

interface Enveloped {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * graphql-ws (`graphql-transport-ws`) on its own `ws` server (noServer): authenticated once at
 * `connection_init`, then each operation runs through yoga's envelop (same schema, limits, error
 * masking and per-operation access checks as HTTP).
 */
export function createGraphqlWsServer(options: GraphqlWsOptions): GraphqlWsServer {
  const { yoga, secrets, logger } = options;
  const maxOperations = options.maxOperationsPerSocket ?? 16;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 64 * 1024 });

  const server = useServer<Record<string, unknown>, { principal: Principal; transport: SubscriberTransport }>(
    {
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 5_000,
      onConnect(ctx) {
        const principal = principalFromToken(secrets, connectionParamsToken(ctx.connectionParams));
        if (principal.kind === 'anonymous') return false; // graphql-ws closes with 4403 Forbidden
        const socket = ctx.extra.socket;
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
      async onSubscribe(ctx, _id, payload) {
        // graphql-ws has already registered this operation in ctx.subscriptions.
        if (Object.keys(ctx.subscriptions).length > maxOperations) {
          return [graphqlError('RATE_LIMITED', `at most ${maxOperations} operations per connection`)];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          principal: ctx.extra.principal,
          transport: ctx.extra.transport,
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
        const rootValue: Enveloped = { execute, subscribe };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue,
        };
      },
      execute: (args) => (args.rootValue as Enveloped).execute(args) as OperationResult,
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as OperationResult,
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );

  return {
    handleUpgrade(request, socket, head) {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path !== GRAPHQL_PATH) return false;
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
      return true;
    },
    connections: () => wss.clients.size,
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

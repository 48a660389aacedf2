import { readFileSync } from 'node:fs';
import { createSchema, createYoga, type YogaServerInstance } from 'graphql-yoga';
import { bearerToken } from '../auth/bearer.ts';
import type { Logger } from '../log.ts';
import { type Principal, principalFromToken } from './auth.ts';
import type {
  DirectDeliverySlot,
  GraphqlContext,
  GraphqlServices,
  SubscriberTransport,
  SubscriptionLimits,
} from './context.ts';
import { isRetryLater, maskError } from './errors.ts';
import { renderLocalGraphiQL } from './graphiql.ts';
import { useProductionHardening, useStrictJsonParameters } from './hardening.ts';
import { DEFAULT_QUERY_LIMITS, type QueryLimits, useQueryLimits } from './limits.ts';
import { resolvers } from './resolvers/index.ts';

export const GRAPHQL_PATH = '/graphql';
export const SCHEMA_FILE = new URL('../../schema.graphql', import.meta.url);

/** Set by the WebSocket server (authenticated at connection init); absent over HTTP. */
export interface GraphqlServerContext {
  principal?: Principal;
  transport?: SubscriberTransport;
  /** Set by the WebSocket server per operation (see `GraphqlContext.directDelivery`). */
  directDelivery?: DirectDeliverySlot;
  /** The client's address (rate limits), from the HTTP request or the WebSocket upgrade. */
  clientAddress?: string;
}

export type GraphqlYoga = YogaServerInstance<GraphqlServerContext, GraphqlContext>;

export interface GraphqlYogaOptions {
  queryLimits?: QueryLimits;
  subscriptionLimits?: SubscriptionLimits;
  /** Serve GraphiQL on `GET /graphql` from a browser (development), every asset from the gateway (graphiql.ts). */
  graphiql?: boolean;
  /**
   * No introspection, no "Did you mean" suggestions, `__` fields counted in the depth limit.
   * Default: `NODE_ENV=production`.
   */
  production?: boolean;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = { maxQueuedEvents: 100, maxBufferedBytes: 1024 * 1024 };

/** Yoga's own log calls, as structured records (it logs unexpected errors before masking them). */
function yogaLogger(logger: Logger) {
  const adapt =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const err = args.find((arg) => arg instanceof Error);
      const msg = args.filter((arg) => typeof arg === 'string').join(' ') || 'graphql';
      // An outage (or a message still in progress) is answered "retry later": a warning, not an error.
      logger[level === 'error' && isRetryLater(err) ? 'warn' : level](err ? { err } : {}, msg);
    };
  return { debug: adapt('debug'), info: adapt('info'), warn: adapt('warn'), error: adapt('error') };
}

export function createGraphqlYoga(services: GraphqlServices, options: GraphqlYogaOptions = {}): GraphqlYoga {
  const limits = options.subscriptionLimits ?? DEFAULT_SUBSCRIPTION_LIMITS;
  const logger = services.logger.child({ component: 'graphql' });
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const queryLimits = options.queryLimits ?? DEFAULT_QUERY_LIMITS;
  return createYoga<GraphqlServerContext, GraphqlContext>({
    schema: createSchema<GraphqlContext>({ typeDefs: readFileSync(SCHEMA_FILE, 'utf8'), resolvers }),
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: options.graphiql ? { title: 'omnibot GraphiQL' } : false,
    renderGraphiQL: renderLocalGraphiQL,
    landingPage: false,
    logging: yogaLogger(logger),
    maskedErrors: { maskError },
    // No uploads in the schema: a multipart body is refused (4xx) instead of parsed.
    multipart: false,
    plugins: [
      useStrictJsonParameters(),
      useQueryLimits(production ? { ...queryLimits, countIntrospection: true } : queryLimits),
      ...(production ? [useProductionHardening()] : []),
    ],
    context: (initial): GraphqlContext => ({
      principal:
        initial.principal ??
        principalFromToken(services.config, bearerToken(initial.request?.headers.get('authorization'))),
      services: { ...services, logger },
      limits,
      ...(initial.transport ? { transport: initial.transport } : {}),
      ...(initial.directDelivery ? { directDelivery: initial.directDelivery } : {}),
      ...(initial.clientAddress ? { clientAddress: initial.clientAddress } : {}),
    }),
  });
}

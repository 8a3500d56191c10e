import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApolloServer } from '@apollo/server';
import {
  getArgumentValues,
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  print,
  specifiedRules,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RequestContext } from '../../platform/context';
import { DomainError, ErrorCode } from '../../platform/errors';
import { toGraphQLError } from '../access-plugin';
import type { GatewayAuth } from '../auth/setup';
import { authorizeTenant } from '../auth/authorize-tenant';
import type { ResolveOptions } from '../auth/role-resolver';
import { checkOperation, type OperationChecks } from '../operation-access';
import type { EdgeRateLimits } from '../security/rate-limits';
import { withoutSuggestions } from '../security/suggestions';
import type { GatewayContext } from '../gateway-context';
import { requestIdFor } from '../request-context';
import { clientIp, type TrustProxy } from '../security/trust-proxy';
import { refuseUpgrade } from '../../platform/http';
import { authenticateConnection, type ConnectionParams } from './connection-auth';
import { ConnectionWatch, type WatchedConnection } from './connection-watch';
import { cacheCounter } from '../../platform/observability/cache-metrics';
import { DocumentCache } from './document-cache';
import { declaredVariables } from './declared-variables';
import { countedListener, EventFeed } from './event-feed';
import { derivedSubscription } from './derived-subscription';
import { DERIVED } from './derived-specs';
import { eventSubscription } from './event-subscription';
import { createSubscriptionMetrics, type SubscriptionMetrics } from './metrics';
import type { UsageRecorder } from '../usage/usage-recorder';
import { rootSelection } from './selection';
import { SlowConsumerError } from './resumable-stream';

const PATHS = new Set(['/', '/graphql']);

/** Close codes beyond graphql-ws's own: the server is going away, or the client is too slow. */
const GOING_AWAY = 1001;
const TOO_SLOW = 4429;
const TRY_AGAIN_LATER = 1013;

export interface SubscriptionServerOptions {
  apollo: ApolloServer<GatewayContext>;
  /** The API schema; subscriptions wait for the gateway to load it. */
  schema: () => GraphQLSchema | undefined;
  auth: GatewayAuth;
  checks: Required<OperationChecks>;
  rateLimits?: EdgeRateLimits;
  validationRules: ValidationRule[];
  /** GATEWAY_INTROSPECTION: off refuses introspection and strips suggestions, as on HTTP. */
  introspection: boolean;
  maxTokens: number;
  prefix: string;
  trustProxy: TrustProxy;
  maxBuffered: number;
  logger: Logger;
  registry: Registry;
  /** Counts each tenant's live subscriptions (peak per day, docs/usage.md). */
  usage?: Pick<UsageRecorder, 'subscriptionStarted' | 'subscriptionEnded'>;
}

interface ConnectionState {
  request: RequestContext;
  watched: WatchedConnection;
}

/**
 * graphql-ws on the gateway's own port and path. A connection authenticates in its
 * `connectionParams` exactly as an HTTP request does (access token or API key, and
 * `tenantId`), and is closed 4401 (bad credentials), 4403 (not allowed; later, when its
 * credential or tenant no longer holds: see connection-watch.ts), 4429 (too many connection
 * attempts, or a subscriber too slow to keep up) or 1001 (the gateway is shutting down). Subscriptions are served here; queries and
 * mutations sent over the socket run through the gateway like HTTP ones.
 */
export function createSubscriptionServer(options: SubscriptionServerOptions) {
  const { logger, auth } = options;
  const metrics = createSubscriptionMetrics(options.registry);
  const feed = new EventFeed(auth.redis, auth.subscriber, options.prefix, logger);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  // A handshake ws refuses (wrong method, no or bad key, unknown version) gets a coded answer
  // like any other refusal, instead of ws's plain-text one.
  wss.on('wsClientError', (error, socket, req) => refuseHandshake(error, socket, req));
  const documents = new DocumentCache({
    validationRules: [
      ...specifiedRules,
      ...options.validationRules,
      ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ],
    maxTokens: options.maxTokens,
    countLookup: cacheCounter(options.registry, 'subscription_document'),
  });
  const states = new WeakMap<WebSocket, ConnectionState>();
  /** The socket behind each subscription's context, to close it when the client falls behind. */
  const sockets = new WeakMap<GatewayContext, WebSocket>();

  const close = (socket: WebSocket, code: number, reason: string) => {
    metrics.closed.inc({ code: String(code) });
    socket.close(code, reason);
  };

  const watch = new ConnectionWatch({
    revocations: auth.revocations,
    apiKeyEndings: auth.apiKeyEndings,
    roles: auth.roles,
    logger,
  });
  watch.start();

  // What every subscription is served with, built once: none of it depends on the subscription.
  // What every subscription shares; each gets its own counted view of the feed.
  const deps = {
    apollo: options.apollo,
    maxBuffered: options.maxBuffered,
    reauthorize: (request: RequestContext, resolve?: ResolveOptions) =>
      authorizeTenant({ ...request }, auth.roles, resolve),
    onDelivered: () => metrics.delivered.inc(),
    onDropped: (reason: 'slow_consumer' | 'forbidden') => metrics.dropped.inc({ reason }),
  };

  const disposable = useServer<ConnectionParams, { state?: ConnectionState }>(
    {
      isProd: false, // every error we send is already coded and safe to show
      connectionInitWaitTimeout: 10_000,
      // Results of queries and mutations come through Apollo, whose formatError strips them.
      onError: options.introspection
        ? undefined
        : (_ctx, _id, _payload, errors) =>
            errors.map((error) => withoutSuggestions(error.toJSON())),
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        try {
          const { request, expiresAt, keyCreator } = await authenticateConnection(
            ctx.extra.request,
            ctx.connectionParams,
            auth.authenticators,
            { trustProxy: options.trustProxy },
          );
          await options.rateLimits?.caller(request);
          if (request.tenantId) await authorizeTenant(request, auth.roles);
          const watched: WatchedConnection = {
            request,
            expiresAt,
            keyCreator,
            end: (reason) => close(socket, CloseCode.Forbidden, reason),
          };
          states.set(socket, { request, watched });
          watch.add(watched);
          metrics.connections.inc();
          return true;
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          close(socket, closeCodeOf(error), error.message.slice(0, 120));
          return false;
        } finally {
          // The upgrade request (headers, parser state) is read once, to authenticate: an
          // open socket need not keep it alive for its whole life.
          Reflect.deleteProperty(ctx.extra, 'request');
        }
      },
      onClose: (ctx) => {
        const state = states.get(ctx.extra.socket);
        if (!state) return;
        watch.delete(state.watched);
        states.delete(ctx.extra.socket);
        metrics.connections.dec();
      },
      onSubscribe: async (ctx, _id, payload) => {
        const request = states.get(ctx.extra.socket)?.request;
        const schema = options.schema();
        if (!request || !schema) {
          return [
            new GraphQLError('Not ready', { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }),
          ];
        }
        const prepared = documents.prepare(schema, payload.query);
        if ('errors' in prepared) return [...prepared.errors];
        const { document } = prepared;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) {
          return [
            new GraphQLError('Send one operation, or name it', {
              extensions: { code: ErrorCode.BAD_USER_INPUT },
            }),
          ];
        }
        // A copy per operation: checks set the role on it.
        const context: GatewayContext = { request: { ...request }, usage: {} };
        sockets.set(context, ctx.extra.socket);
        try {
          // Each operation spends what an HTTP request does: IP, user or API key, then tenant.
          await options.rateLimits?.admit(context.request);
          await checkOperation(
            operation,
            document,
            schema,
            context,
            payload.variables,
            options.checks,
          );
        } catch (error) {
          // The tenant rate limit comes wrapped for Apollo's pipeline: answer it too, coded,
          // rather than closing the socket with 4500.
          const cause = error instanceof GraphQLError ? error.originalError : error;
          if (cause instanceof DomainError) return [toGraphQLError(cause)];
          throw error;
        }
        // Queries and mutations then run through Apollo, whose checks plugin would check again.
        context.accessChecked = true;
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: declaredVariables(operation, payload.variables),
          contextValue: context,
        } satisfies ExecutionArgs;
      },
      execute: (args) => runThroughGateway(options.apollo, args),
      subscribe: (args) => {
        const context = args.contextValue as GatewayContext;
        const operation = getOperationAST(args.document, args.operationName)!;
        const selection = rootSelection(operation, args.document);
        const fieldName = selection?.field.name.value;
        const field = fieldName
          ? args.schema.getSubscriptionType()?.getFields()[fieldName]
          : undefined;
        const derived = fieldName ? DERIVED[fieldName] : undefined;
        if (!selection || !field || (fieldName !== 'events' && !derived)) {
          return {
            errors: [
              new GraphQLError(`Subscription.${fieldName ?? '?'} is not served`, {
                extensions: { code: ErrorCode.BAD_USER_INPUT },
              }),
            ],
          };
        }
        const values = getArgumentValues(field, selection.field, args.variableValues ?? undefined);
        const socket = sockets.get(context);
        // Counted from the moment its channel is subscribed, in the metric and the tenant's usage.
        const counted = {
          ...deps,
          feed: countedListener(
            feed,
            liveCounts(metrics, options.usage, context.usage?.tenantId).subscriptions,
          ),
        };
        const variables = args.variableValues ?? undefined;
        return guarded(
          derived
            ? derivedSubscription(derived, context.request, selection, values, variables, counted)
            : eventSubscription(context.request, selection, values, args.document, variables, {
                ...counted,
                schema: args.schema,
              }),
          () => socket && close(socket, TOO_SLOW, 'Subscriber too slow: reconnect with afterSeq'),
        );
      },
    },
    wss,
    12_000,
  );

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const path = (req.url ?? '/').split('?')[0]!;
      if (!PATHS.has(path)) {
        refuseUpgrade(socket, {
          status: 404,
          message: 'No WebSocket endpoint here: subscriptions are served on /graphql',
          code: ErrorCode.NOT_FOUND,
          requestId: requestIdFor(req),
        });
        return;
      }
      // Decide before upgrading: once upgraded, graphql-ws must listen at once, or the
      // client's first message (connection_init) arrives to nobody and is lost.
      const ip = clientIp(req, options.trustProxy);
      (options.rateLimits?.wsConnect(ip) ?? Promise.resolve()).then(
        () => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
        (error: unknown) => {
          if (!(error instanceof DomainError)) {
            const requestId = requestIdFor(req);
            logger.error({ err: error, requestId }, 'WebSocket connection check failed');
            refuseUpgrade(socket, {
              status: 500,
              message: 'Internal server error',
              code: ErrorCode.INTERNAL_SERVER_ERROR,
              requestId,
            });
            return;
          }
          // Upgrade only to say why, with the protocol's close code.
          wss.handleUpgrade(req, socket, head, (ws) =>
            close(ws, closeCodeOf(error), error.message),
          );
        },
      );
    },
    /** Closes every socket with 1001 (going away), for a graceful shutdown. */
    async closeAll(): Promise<void> {
      watch.stop();
      for (const client of wss.clients) close(client, GOING_AWAY, 'Server shutting down');
      await disposable.dispose();
    },
  };
}

function refuseHandshake(error: Error, socket: Duplex, req: IncomingMessage): void {
  const wrongMethod = req.method !== 'GET';
  refuseUpgrade(socket, {
    status: wrongMethod ? 405 : 400,
    message: `WebSocket handshake refused: ${error.message}`,
    code: ErrorCode.BAD_USER_INPUT,
    requestId: requestIdFor(req),
    // What ws itself would say: the method to use, or the versions it speaks.
    headers: wrongMethod
      ? { allow: 'GET' }
      : /Version/.test(error.message)
        ? { 'sec-websocket-version': '13, 8' }
        : {},
  });
}

/** The live-subscription gauge, and the tenant's live count when its usage is counted. */
function liveCounts(
  metrics: SubscriptionMetrics,
  usage: SubscriptionServerOptions['usage'],
  tenantId: string | undefined,
): { subscriptions: { inc(): void; dec(): void } } {
  if (!usage || !tenantId) return metrics;
  return {
    subscriptions: {
      inc: () => {
        metrics.subscriptions.inc();
        usage.subscriptionStarted(tenantId);
      },
      dec: () => {
        metrics.subscriptions.dec();
        usage.subscriptionEnded(tenantId);
      },
    },
  };
}

/** Ends a subscription's stream on a slow consumer by closing the socket with 4429. */
async function* guarded(
  results: AsyncGenerator<ExecutionResult>,
  onSlow: () => void,
): AsyncGenerator<ExecutionResult> {
  try {
    yield* results;
  } catch (error) {
    if (error instanceof SlowConsumerError) {
      onSlow();
      return;
    }
    if (error instanceof DomainError) {
      yield { errors: [toGraphQLError(error)] };
      return;
    }
    throw error;
  }
}

async function runThroughGateway(
  apollo: ApolloServer<GatewayContext>,
  args: ExecutionArgs,
): Promise<ExecutionResult> {
  const response = await apollo.executeOperation(
    {
      query: print(args.document),
      operationName: args.operationName ?? undefined,
      variables: (args.variableValues as Record<string, unknown>) ?? undefined,
    },
    { contextValue: args.contextValue as GatewayContext },
  );
  if (response.body.kind !== 'single') throw new Error('unexpected incremental delivery');
  return response.body.singleResult as ExecutionResult;
}

function closeCodeOf(error: DomainError): number {
  switch (error.code) {
    case ErrorCode.UNAUTHENTICATED:
      return CloseCode.Unauthorized;
    case ErrorCode.RATE_LIMITED:
      return TOO_SLOW;
    case ErrorCode.SERVICE_UNAVAILABLE:
      return TRY_AGAIN_LATER;
    default:
      return CloseCode.Forbidden;
  }
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApolloServer } from '@apollo/server';
import {
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RequestContext } from '../../platform/context/request-context';
import { DomainError } from '../../platform/errors/domain-errors';
import { ErrorCode } from '../../platform/errors/codes';
import type { GatewayAuth } from '../auth/setup';
import { authorizeTenant } from '../auth/authorize-tenant';
import type { ResolveOptions } from '../auth/role-resolver';
import type { OperationChecks } from '../policies/operation-access';
import type { EdgeRateLimits } from '../security/rate-limits';
import { withoutSuggestions } from '../security/suggestions';
import type { GatewayContext } from '../gateway-context';
import { requestIdFor } from '../http/request-context';
import { clientIp, type TrustProxy } from '../security/trust-proxy';
import { refuseUpgrade } from '../../platform/http/raw-answer';
import { cacheCounter } from '../../platform/observability/cache-metrics';
import { closeCodeOf, GOING_AWAY, refuseHandshake } from './close-codes';
import type { ConnectionParams } from './connection-auth';
import { connectionHooks, type ConnectionState } from './connection-hooks';
import { ConnectionWatch } from './connection-watch';
import { DocumentCache } from './document-cache';
import { EventFeed } from './event-feed';
import { createSubscriptionMetrics } from './metrics';
import { operationHooks } from './operation-hooks';
import type { UsageRecorder } from '../usage/usage-recorder';

const PATHS = new Set(['/', '/graphql']);

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

type Close = (socket: WebSocket, code: number, reason: string) => void;

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
  wss.on('wsClientError', (error, socket, req) => refuseHandshake(error, socket, req));
  const documents = subscriptionDocuments(options);
  const states = new WeakMap<WebSocket, ConnectionState>();
  const close: Close = (socket, code, reason) => {
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

  const disposable = useServer<ConnectionParams, { state?: ConnectionState }>(
    {
      isProd: false, // every error we send is already coded and safe to show
      connectionInitWaitTimeout: 10_000,
      // Results of queries and mutations come through Apollo, whose formatError strips them.
      onError: options.introspection
        ? undefined
        : (_ctx, _id, _payload, errors) =>
            errors.map((error) => withoutSuggestions(error.toJSON())),
      ...connectionHooks({ ...options, watch, states, metrics, close }),
      ...operationHooks({
        ...options,
        documents,
        feed,
        metrics,
        states,
        deps: {
          apollo: options.apollo,
          maxBuffered: options.maxBuffered,
          reauthorize: (request: RequestContext, resolve?: ResolveOptions) =>
            authorizeTenant({ ...request }, auth.roles, resolve),
          onDelivered: () => metrics.delivered.inc(),
          onDropped: (reason) => metrics.dropped.inc({ reason }),
        },
        close,
      }),
    },
    wss,
    12_000,
  );

  return {
    handleUpgrade: upgradeHandler(wss, options, close),
    /** Closes every socket with 1001 (going away), for a graceful shutdown. */
    async closeAll(): Promise<void> {
      watch.stop();
      for (const client of wss.clients) close(client, GOING_AWAY, 'Server shutting down');
      await disposable.dispose();
    },
  };
}

/** Parsed and validated subscription documents, with the same rules as HTTP operations. */
function subscriptionDocuments(options: SubscriptionServerOptions): DocumentCache {
  return new DocumentCache({
    validationRules: [
      ...specifiedRules,
      ...options.validationRules,
      ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ],
    maxTokens: options.maxTokens,
    countLookup: cacheCounter(options.registry, 'subscription_document'),
  });
}

/** Upgrades on the GraphQL paths once the connection rate limit lets the caller's IP in. */
function upgradeHandler(
  wss: WebSocketServer,
  options: SubscriptionServerOptions,
  close: Close,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
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
          options.logger.error({ err: error, requestId }, 'WebSocket connection check failed');
          refuseUpgrade(socket, {
            status: 500,
            message: 'Internal server error',
            code: ErrorCode.INTERNAL_SERVER_ERROR,
            requestId,
          });
          return;
        }
        // Upgrade only to say why, with the protocol's close code.
        wss.handleUpgrade(req, socket, head, (ws) => close(ws, closeCodeOf(error), error.message));
      },
    );
  };
}

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
  ApolloServerPluginSchemaReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { BLOB_PATH_PREFIX } from '../platform/assets';
import { serviceSigning } from '../platform/config';
import { currentContext, runWithContext, type RequestContext } from '../platform/context';
import { DomainError, maskError } from '../platform/errors';
import { apolloLogger, executeApollo, metricsPlugin } from '../platform/graphql';
import {
  parseJsonBody,
  readBody,
  sendGraphQLError,
  startServiceServer,
  type MetricsSource,
  type RunningService,
} from '../platform/http';
import { InternalClient } from '../platform/internal-calls';
import { cacheCounter } from '../platform/observability/cache-metrics';
import { createLogger } from '../platform/observability/logger';
import { createServiceMetrics } from '../platform/observability/metrics';
import {
  annotateActiveSpan,
  inSpan,
  REQUEST_ID_ATTRIBUTE,
  SpanKind,
  startTracing,
} from '../platform/observability/tracing';
import { tracingPlugin } from '../platform/graphql/tracing-plugin';
import { blobProxy, pathProxy } from './blob-proxy';
import {
  AUDIT_EXPORT_PATH,
  AUDIT_EXPORT_PATH_PREFIX,
} from '../platform/observability/audit-export-path';
import { internalUrl, subgraphUrlOverrides, type GatewayConfig } from './config';
import { buildRequestContext, REQUEST_ID_HEADER, requestIdFor } from './request-context';
import { setupSecurityEdge } from './security/edge';
import { callerScopedQueryCache } from './security/persisted-queries';
import { withoutSuggestions } from './security/suggestions';
import { startTenantOrigins } from './security/tenant-origins';
import type { GatewayContext } from './gateway-context';
import { FederatedGateway } from './federation/federated-gateway';
import { subgraphRequestHooks } from './subgraph-requests';
import { deduplicatedOperations, subgraphFetchMetrics } from './execution-metrics';
import { TenantPolicy } from './tenant-policy';
import { gatewayGuards } from './target-guards';
import { startUsageRecorder } from './usage/usage-recorder';
import { loadUsageQuota } from '../platform/usage/usage-quota';
import { admitRequest, type Admission } from './auth/admission';
import { authorizeTenant } from './auth/authorize-tenant';
import { setupGatewayAuth, type GatewayAuth } from './auth/setup';
import { operationChecksPlugin } from './access-plugin';
import { createSubscriptionServer } from './subscriptions/subscription-server';
import type { AccessPolicies, OperationChecks } from './operation-access';
import { FieldRequirements } from './field-requirements';

export interface RunningGateway extends RunningService {
  logger: Logger;
}

export interface GatewayOptions {
  /** Cluster mode (gateway/cluster/): `/metrics` built from this worker's registry and its peers'. */
  metricsSource?: (registry: Registry) => MetricsSource;
}

/**
 * The public entry point: one port for HTTP GraphQL and graphql-ws, Sandbox, signed blob URLs
 * and health (metrics too, unless GATEWAY_METRICS_PORT or _TOKEN keep them apart). Executes
 * the supergraph's query plans against the subgraphs with a signed context on every subgraph
 * request.
 */
export async function startGateway(
  config: GatewayConfig,
  options: GatewayOptions = {},
): Promise<RunningGateway> {
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const tracing = await startTracing('gateway', config);
  const metrics = createServiceMetrics('gateway');
  const supergraphSdl = readFileSync(config.GATEWAY_SUPERGRAPH_PATH, 'utf8');
  const overrides = subgraphUrlOverrides(config);
  const policiesOn = config.GATEWAY_POLICIES === 'on';
  // With policies off the subgraphs are anyone's and check no signature.
  const signer = policiesOn ? serviceSigning(config, 'gateway').signer : undefined;

  const deduplicated = deduplicatedOperations(metrics.registry);
  const guards = gatewayGuards(config, metrics.registry);
  const gateway = new FederatedGateway<GatewayContext>({
    supergraphSdl,
    urlOverrides: overrides,
    pool: {
      connections: config.GATEWAY_SUBGRAPH_CONNECTIONS,
      pipelining: config.GATEWAY_SUBGRAPH_PIPELINING,
      timeoutMs: config.GATEWAY_SUBGRAPH_TIMEOUT_MS,
      maxResponseBytes: config.GATEWAY_SUBGRAPH_MAX_RESPONSE_BYTES,
    },
    guard: guards.subgraph,
    planCacheSize: config.GATEWAY_PLAN_CACHE_SIZE,
    countPlanLookup: cacheCounter(metrics.registry, 'query_plan'),
    // Everything about the caller but the request id: the same caller asking the same query
    // at the same time gets one execution's answer.
    deduplicationKey: config.GATEWAY_DEDUPLICATE_QUERIES
      ? ({ request }) => JSON.stringify({ ...request, requestId: null })
      : undefined,
    countDeduplicated: () => deduplicated.inc(),
    ...subgraphRequestHooks(signer, subgraphFetchMetrics(metrics.registry)),
  });

  const plugins: ApolloServerPlugin<GatewayContext>[] = [
    metricsPlugin<GatewayContext>(metrics),
    tracingPlugin<GatewayContext>(),
    ApolloServerPluginUsageReportingDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
    config.GATEWAY_SANDBOX
      ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
      : ApolloServerPluginLandingPageDisabled(),
  ];

  // Auth's API key check, tenancy's role and origin lookups (platform/contracts/).
  const internal =
    signer &&
    new InternalClient({
      signer,
      urls: {
        auth: internalUrl(config, supergraphSdl, 'auth'),
        tenancy: internalUrl(config, supergraphSdl, 'tenancy'),
        observability: internalUrl(config, supergraphSdl, 'observability'),
      },
      guards: guards.internal,
      logger,
    });
  // With policies off the gateway fronts any supergraph and needs no Redis and no auth service.
  const auth: GatewayAuth | undefined = internal
    ? await setupGatewayAuth(config, supergraphSdl, internal, logger, metrics.registry)
    : undefined;
  // Usage per tenant and day, reported to observability every few seconds (docs/usage.md).
  const usage =
    internal &&
    startUsageRecorder({
      internal,
      quota: await loadUsageQuota(config.GATEWAY_USAGE_QUOTA_MODULE),
      flushMs: config.GATEWAY_USAGE_FLUSH_MS,
      registry: metrics.registry,
      logger,
    });
  // Tenants' own frontends, on top of CORS_ALLOWED_ORIGINS (tenancy is asked, answers cached).
  const tenantOrigins =
    auth && internal
      ? await startTenantOrigins(config, internal, auth, logger, metrics.registry)
      : undefined;
  const edge = setupSecurityEdge(config, {
    logger,
    registry: metrics.registry,
    redis: auth?.redis,
    tenantOrigins: tenantOrigins && ((origin, tenantId) => tenantOrigins.allows(origin, tenantId)),
  });
  const policies = (gatewayAuth: GatewayAuth): AccessPolicies => ({
    tenants: TenantPolicy.fromSupergraph(supergraphSdl),
    fields: FieldRequirements.fromSupergraph(supergraphSdl),
    async authorize(context, operationType) {
      const { request, delivery, admission } = context;
      await authorizeTenant(request, gatewayAuth.roles, {
        generation: admission?.tenantGeneration,
      });
      // A subscription's deliveries were counted when it subscribed.
      if (delivery || !request.tenantId) return;
      // Spent at the edge already when this pod knew the caller was let in.
      if (!admission?.tenantSpent) await edge.rateLimits?.tenant(request);
      await usage?.admit(request.tenantId, operationType);
      if (context.usage) context.usage.tenantId = request.tenantId;
    },
  });
  const checks: OperationChecks = {
    maxCost: config.GATEWAY_MAX_COST,
    access: auth ? policies(auth) : undefined,
  };
  plugins.push(operationChecksPlugin(checks));

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger: apolloLogger(logger),
    introspection: config.GATEWAY_INTROSPECTION,
    ...edge.apollo,
    includeStacktraceInErrorResponses: false,
    // Parsed and validated documents by their text.
    documentStore: new InMemoryLRUCache<DocumentNode>({
      maxSize: config.GATEWAY_DOCUMENT_CACHE_MIB * 2 ** 20,
    }),
    // Automatic persisted queries, known only to the caller who registered them.
    persistedQueries: { cache: callerScopedQueryCache() },
    // Our own drain stops Apollo; its handlers would re-raise the signal as a second one.
    stopOnTerminationSignals: false,
    // formatError runs inside the request's async context.
    formatError: (formatted, error) => {
      const masked = maskError(formatted, error, currentContext()?.requestId, logger);
      return config.GATEWAY_INTROSPECTION ? masked : withoutSuggestions(masked);
    },
    plugins,
  });
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((loaded) => {
    apiSchema = loaded.apiSchema;
  });
  await apollo.start();
  const access = checks.access;
  const subscriptions =
    auth && access
      ? createSubscriptionServer({
          apollo,
          schema: () => apiSchema,
          auth,
          checks: { ...checks, access },
          rateLimits: edge.rateLimits,
          validationRules: edge.apollo.validationRules,
          introspection: config.GATEWAY_INTROSPECTION,
          maxTokens: config.GATEWAY_MAX_TOKENS,
          prefix: config.REDIS_PREFIX,
          trustProxy: config.GATEWAY_TRUST_PROXY,
          maxBuffered: config.SUBSCRIPTION_MAX_BUFFERED_EVENTS,
          usage,
          logger,
          registry: metrics.registry,
        })
      : undefined;

  // Each request is a trace of its own (the public edge does not continue a client's trace);
  // subgraph fetches and the jobs they enqueue become its children.
  const handleGraphQL = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    inSpan('graphql.request', { kind: SpanKind.SERVER }, () => serveGraphQL(req, res));
  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = requestIdFor(req);
    annotateActiveSpan({ [REQUEST_ID_ATTRIBUTE]: requestId });
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (await edge.cors(req, res, requestId)) return;
    let request: RequestContext;
    let admission: Admission | undefined;
    try {
      request = buildRequestContext(req, requestId, { trustProxy: config.GATEWAY_TRUST_PROXY });
      if (auth && edge.rateLimits) {
        admission = await admitRequest(req, request, {
          rateLimits: edge.rateLimits,
          authenticators: auth.authenticators,
          roles: auth.roles,
        });
        request = admission.request;
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      req.resume();
      return sendGraphQLError(res, error, requestId, req.headers.accept);
    }
    await runWithContext(request, async () => {
      let body: unknown;
      try {
        const raw =
          req.method === 'POST'
            ? await readBody(req, config.GATEWAY_BODY_LIMIT_BYTES)
            : Buffer.alloc(0);
        body = parseJsonBody(raw, req.headers['content-type']);
        edge.checkTokens(req, body);
      } catch (error) {
        if (error instanceof DomainError)
          return sendGraphQLError(res, error, requestId, req.headers.accept);
        throw error;
      }
      const counted: NonNullable<GatewayContext['usage']> = {};
      const bytes = await executeApollo(apollo, req, res, body, {
        request,
        usage: counted,
        admission,
      });
      if (counted.tenantId) usage?.responseBytes(counted.tenantId, bytes);
    });
  };

  const running = await startServiceServer({
    name: 'gateway',
    host: config.HOST,
    port: config.PORT,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    logger,
    metrics,
    metricsSource: options.metricsSource?.(metrics.registry),
    metricsAccess: { port: config.GATEWAY_METRICS_PORT, bearerToken: config.GATEWAY_METRICS_TOKEN },
    readiness: auth?.readiness ?? [],
    routes: {
      ...Object.fromEntries(
        Object.entries(auth?.routes ?? {}).map(([path, handle]) => [
          path,
          { route: 'jwks' as const, handle },
        ]),
      ),
      '/': { route: 'graphql', handle: handleGraphQL },
      '/graphql': { route: 'graphql', handle: handleGraphQL },
    },
    // The assets process's signed upload and download URLs, served on the public port.
    prefixRoutes: policiesOn
      ? {
          [BLOB_PATH_PREFIX]: {
            route: 'blobs',
            handle: blobProxy(internalUrl(config, supergraphSdl, 'assets'), logger),
          },
          // Platform administrators' signed audit export URLs, streamed from observability.
          [AUDIT_EXPORT_PATH_PREFIX]: {
            route: 'audit-exports',
            handle: pathProxy(internalUrl(config, supergraphSdl, 'observability'), logger, {
              path: AUDIT_EXPORT_PATH,
              what: 'Audit export',
              service: 'observability',
            }),
          },
        }
      : undefined,
    onUpgrade: subscriptions
      ? (req, socket, head) => subscriptions.handleUpgrade(req, socket, head)
      : undefined,
    // Sockets close with 1001 as soon as draining starts; clients reconnect elsewhere.
    onDrainStart: async () => {
      await subscriptions?.closeAll();
    },
    onShutdown: async () => {
      await apollo.stop();
      await tracing.shutdown();
      await tenantOrigins?.stop();
      await usage?.stop();
      await auth?.close();
    },
  });
  return { ...running, logger };
}

import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
  ApolloServerPluginSchemaReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { ServiceSigning } from '../platform/config/service-keys';
import { currentContext } from '../platform/context/request-context';
import { maskError } from '../platform/errors/mask';
import { apolloLogger } from '../platform/graphql/apollo-logger';
import { metricsPlugin, operationRecorder } from '../platform/graphql/metrics-plugin';
import { tracingPlugin } from '../platform/graphql/tracing-plugin';
import { cacheCounter } from '../platform/observability/cache-metrics';
import type { ServiceMetrics } from '../platform/observability/metrics';
import { operationChecksPlugin } from './policies/access-plugin';
import type { GatewayAuth } from './auth/setup';
import { authorizeTenant } from './auth/authorize-tenant';
import { subgraphUrlOverrides, type GatewayConfig } from './config';
import { deduplicatedOperations, subgraphFetchMetrics } from './execution-metrics';
import { FederatedGateway } from './federation/federated-gateway';
import { FieldRequirements } from './policies/field-requirements';
import type { GatewayContext } from './gateway-context';
import type { GatewayServices } from './gateway-services';
import type { AccessPolicies, OperationChecks } from './policies/operation-access';
import { callerScopedQueryCache } from './security/persisted-queries';
import { withoutSuggestions } from './security/suggestions';
import { passThroughAnswers } from './pass-through-answers';
import { subgraphRequestHooks } from './subgraph-requests';
import type { gatewayGuards } from './target-guards';
import { TenantPolicy } from './policies/tenant-policy';

/** Plans and runs operations against the subgraphs, signing each subgraph request. */
export function federatedGateway(
  config: GatewayConfig,
  supergraphSdl: string,
  signer: ServiceSigning['signer'] | undefined,
  guards: ReturnType<typeof gatewayGuards>,
  metrics: ServiceMetrics,
): FederatedGateway<GatewayContext> {
  const deduplicated = deduplicatedOperations(metrics.registry);
  return new FederatedGateway<GatewayContext>({
    supergraphSdl,
    urlOverrides: subgraphUrlOverrides(config),
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
}

/** Who may run what: tenant membership, rate limits and usage quota, per operation. */
function accessPolicies(
  supergraphSdl: string,
  gatewayAuth: GatewayAuth,
  { edge, usage }: GatewayServices,
): AccessPolicies {
  return {
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
  };
}

export interface GatewayApollo {
  apollo: ApolloServer<GatewayContext>;
  checks: OperationChecks;
  /** The API schema of the supergraph loaded last (undefined until the first load). */
  apiSchema: () => GraphQLSchema | undefined;
  /** The short way for single-fetch queries (GATEWAY_PASS_THROUGH), beside Apollo's. */
  passThrough?: ReturnType<typeof passThroughAnswers>;
}

/** Apollo Server over the federated gateway, with the operation checks as a plugin; started. */
export async function startGatewayApollo(
  config: GatewayConfig,
  supergraphSdl: string,
  gateway: FederatedGateway<GatewayContext>,
  services: GatewayServices,
  metrics: ServiceMetrics,
  logger: Logger,
): Promise<GatewayApollo> {
  const checks: OperationChecks = {
    maxCost: config.GATEWAY_MAX_COST,
    access: services.auth ? accessPolicies(supergraphSdl, services.auth, services) : undefined,
  };
  const record = operationRecorder(metrics);
  const plugins: ApolloServerPlugin<GatewayContext>[] = [
    metricsPlugin<GatewayContext>(metrics, record),
    tracingPlugin<GatewayContext>(),
    ApolloServerPluginUsageReportingDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
    // The gateway resolves no field itself and sets no cache policy (its answers are per
    // caller): Apollo's default cache-control plugin would only add hooks to every request.
    ApolloServerPluginCacheControlDisabled(),
    config.GATEWAY_SANDBOX
      ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
      : ApolloServerPluginLandingPageDisabled(),
    operationChecksPlugin(checks),
  ];
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger: apolloLogger(logger),
    introspection: config.GATEWAY_INTROSPECTION,
    ...services.edge.apollo,
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
  const passThrough = config.GATEWAY_PASS_THROUGH
    ? passThroughAnswers({ gateway, checks, record, registry: metrics.registry })
    : undefined;
  return { apollo, checks, apiSchema: () => apiSchema, passThrough };
}

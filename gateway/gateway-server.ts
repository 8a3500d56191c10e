import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { serviceSigning } from '../platform/config/service-keys';
import {
  listenOptions,
  startServiceServer,
  type MetricsSource,
  type RunningService,
} from '../platform/http/service-server';
import { createLogger } from '../platform/observability/logger';
import { createServiceMetrics } from '../platform/observability/metrics';
import { startTracing } from '../platform/observability/tracing';
import type { GatewayConfig } from './config';
import { federatedGateway, startGatewayApollo, type GatewayApollo } from './gateway-apollo';
import { gatewayRoutes, graphqlHandler } from './gateway-http';
import { connectGatewayServices, type GatewayServices } from './gateway-services';
import { createSubscriptionServer } from './subscriptions/subscription-server';
import { gatewayGuards } from './target-guards';

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
  // With policies off the subgraphs are anyone's and check no signature.
  const signer =
    config.GATEWAY_POLICIES === 'on' ? serviceSigning(config, 'gateway').signer : undefined;
  const guards = gatewayGuards(config, metrics.registry);
  const gateway = federatedGateway(config, supergraphSdl, signer, guards, metrics);
  const services = await connectGatewayServices(
    config,
    supergraphSdl,
    signer,
    guards.internal,
    logger,
    metrics.registry,
  );
  const { auth, usage, tenantOrigins } = services;
  const graphql = await startGatewayApollo(
    config,
    supergraphSdl,
    gateway,
    services,
    metrics,
    logger,
  );
  const subscriptions = subscriptionServer(config, graphql, services, logger, metrics.registry);
  const handleGraphQL = graphqlHandler(config, graphql, services);
  const running = await startServiceServer({
    name: 'gateway',
    ...listenOptions(config),
    logger,
    metrics,
    metricsSource: options.metricsSource?.(metrics.registry),
    metricsAccess: { port: config.GATEWAY_METRICS_PORT, bearerToken: config.GATEWAY_METRICS_TOKEN },
    readiness: auth?.readiness ?? [],
    ...gatewayRoutes(config, supergraphSdl, handleGraphQL, services, logger),
    onUpgrade: subscriptions
      ? (req, socket, head) => subscriptions.handleUpgrade(req, socket, head)
      : undefined,
    // Sockets close with 1001 as soon as draining starts; clients reconnect elsewhere.
    onDrainStart: async () => {
      await subscriptions?.closeAll();
    },
    onShutdown: async () => {
      await graphql.apollo.stop();
      await tracing.shutdown();
      await tenantOrigins?.stop();
      await usage?.stop();
      await auth?.close();
      await services.internal?.close();
    },
  });
  return { ...running, logger };
}

/** graphql-ws on the same port; only with policies on, since every subscriber is checked. */
function subscriptionServer(
  config: GatewayConfig,
  { apollo, checks, apiSchema }: GatewayApollo,
  { auth, edge, usage }: GatewayServices,
  logger: Logger,
  registry: Registry,
): ReturnType<typeof createSubscriptionServer> | undefined {
  const access = checks.access;
  if (!auth || !access) return undefined;
  return createSubscriptionServer({
    apollo,
    schema: apiSchema,
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
    registry,
  });
}

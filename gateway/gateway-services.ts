import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ServiceSigning } from '../platform/config/service-keys';
import { InternalClient } from '../platform/internal-calls/client';
import { loadUsageQuota } from '../platform/usage/usage-quota';
import { setupGatewayAuth, type GatewayAuth } from './auth/setup';
import { internalUrl, type GatewayConfig } from './config';
import { setupSecurityEdge, type SecurityEdge } from './security/edge';
import { startTenantOrigins } from './security/tenant-origins';
import type { gatewayGuards } from './target-guards';
import { startUsageRecorder, type UsageRecorder } from './usage/usage-recorder';

/** What the gateway asks the other processes, and the edge that fronts every request. */
export interface GatewayServices {
  /** Calls to auth, tenancy and observability's internal routes. */
  internal?: InternalClient;
  auth?: GatewayAuth;
  usage?: UsageRecorder;
  tenantOrigins?: Awaited<ReturnType<typeof startTenantOrigins>>;
  edge: SecurityEdge;
}

/**
 * Connects to auth, tenancy and observability (absent with policies off: then the gateway
 * fronts any supergraph and needs no Redis and no auth service), then builds the security
 * edge on top of what they answer.
 */
export async function connectGatewayServices(
  config: GatewayConfig,
  supergraphSdl: string,
  signer: ServiceSigning['signer'] | undefined,
  internalGuards: ReturnType<typeof gatewayGuards>['internal'],
  logger: Logger,
  registry: Registry,
): Promise<GatewayServices> {
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
      guards: internalGuards,
      logger,
    });
  const auth: GatewayAuth | undefined = internal
    ? await setupGatewayAuth(config, supergraphSdl, internal, logger, registry)
    : undefined;
  // Usage per tenant and day, reported to observability every few seconds (docs/usage.md).
  const usage =
    internal &&
    startUsageRecorder({
      internal,
      quota: await loadUsageQuota(config.GATEWAY_USAGE_QUOTA_MODULE),
      flushMs: config.GATEWAY_USAGE_FLUSH_MS,
      registry,
      logger,
    });
  // Tenants' own frontends, on top of CORS_ALLOWED_ORIGINS (tenancy is asked, answers cached).
  const tenantOrigins =
    auth && internal
      ? await startTenantOrigins(config, internal, auth, logger, registry)
      : undefined;
  const edge = setupSecurityEdge(config, {
    logger,
    registry,
    redis: auth?.redis,
    tenantOrigins: tenantOrigins && ((origin, tenantId) => tenantOrigins.allows(origin, tenantId)),
  });
  return { internal, auth, usage, tenantOrigins, edge };
}

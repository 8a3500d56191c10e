import { Queue } from 'bullmq';
import { tenantPurgeRoute } from '../../platform/graphql/tenant-purge-route';
import type { SubgraphRuntime } from '../../platform/graphql';
import type { RequestHandler } from '../../platform/http';
import { enqueueTenantPurge, TENANT_PURGE_QUEUE } from '../../platform/queues';
import { queuePrefix } from '../../platform/redis';
import { tenantPurgeCall } from '../../platform/contracts/subgraphs/tenant-purge';
import { tenantOriginsCall } from '../../platform/contracts/tenancy/tenant-origins';
import { tenantStateCall } from '../../platform/contracts/tenancy/tenant-state';
import { signedJsonRoute } from '../../platform/http';
import { publishTenantOriginsChanged } from '../../platform/tenancy';
import { tenantOriginsRoute } from './routes/tenant-origins.route';
import { refuseLiveTenant, TENANCY_PURGE_TABLES, tenantState } from './routes/tenant-purge.route';
import type { TenantSettingsOptions } from './services/tenant-settings.service';

/** What the tenancy process builds once for tenant settings, deletion and administration. */
export interface TenantLifecycleServices {
  settings: TenantSettingsOptions;
  /** Enqueues the worker's purge of a deleted tenant (see TenantLifecycleHooks). */
  purgeDeletedTenant: (tenantId: string) => Promise<void>;
}

/**
 * The queue that deleted tenants' purges go to, and the internal routes of this part of
 * tenancy: the CORS origins lookup for the gateway, whether a tenant is still live (which the
 * other subgraphs ask before they purge its rows) and tenancy's own tenant purge.
 */
export function setupTenantLifecycle(runtime: SubgraphRuntime): {
  services: TenantLifecycleServices;
  routes: Record<string, RequestHandler>;
  close: () => Promise<void>;
} {
  const { config, dataSource, logger, redis } = runtime;
  // Adding jobs needs no blocking connection: the process's Redis client serves (and stays
  // open when the queue closes).
  const purgeQueue = new Queue(TENANT_PURGE_QUEUE, {
    connection: redis,
    prefix: queuePrefix(config.REDIS_PREFIX),
  });
  purgeQueue.on('error', (error) => logger.warn({ err: error }, 'tenant purge queue error'));
  // Committed already; if Redis is down, gateways' cached answers expire within their TTL.
  const originsChanged = async (tenantId: string) => {
    try {
      await publishTenantOriginsChanged(redis, config.REDIS_PREFIX, tenantId);
    } catch (error) {
      logger.warn(
        { err: error, tenantId },
        'could not announce changed origins; gateways see them within their cache TTL',
      );
    }
  };

  return {
    services: {
      settings: { allowHttpOrigins: config.NODE_ENV !== 'production', originsChanged },
      purgeDeletedTenant: async (tenantId) => {
        // A deleted tenant allows no origin any more.
        await originsChanged(tenantId);
        try {
          const jobId = await enqueueTenantPurge(purgeQueue, tenantId);
          logger.info({ tenantId, jobId }, 'tenant purge enqueued');
        } catch (error) {
          // The deletion is committed and every request to the tenant is already refused;
          // only its rows stay behind until the purge is enqueued again.
          logger.error(
            { err: error, tenantId },
            'tenant deleted but its purge could not be enqueued; its rows stay until it is',
          );
        }
      },
    },
    routes: {
      [tenantOriginsCall.path]: tenantOriginsRoute(runtime),
      [tenantStateCall.path]: signedJsonRoute(runtime, tenantStateCall, async ({ tenantId }) => ({
        state: await tenantState(dataSource, tenantId.toLowerCase()),
      })),
      [tenantPurgeCall.path]: tenantPurgeRoute(runtime, {
        tables: TENANCY_PURGE_TABLES,
        guard: refuseLiveTenant(dataSource),
      }),
    },
    close: () => purgeQueue.close(),
  };
}

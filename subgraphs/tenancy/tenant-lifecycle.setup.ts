import { Queue } from 'bullmq';
import { tenantPurgeRoute } from '../../platform/subgraph/routes/tenant-purge.route';
import type { SubgraphRuntime } from '../../platform/subgraph/subgraph-service';
import type { RequestHandler } from '../../platform/http/service-server';
import {
  enqueueTenantPurge,
  TENANT_PURGE_QUEUE,
} from '../../platform/contracts/jobs/tenant-purge-job';
import { queuePrefix, type RedisClient } from '../../platform/redis/connection';
import { tenantPurgeCall } from '../../platform/contracts/subgraphs/tenant-purge';
import { tenantOriginsCall } from '../../platform/contracts/tenancy/tenant-origins';
import { tenantStatusCall } from '../../platform/contracts/tenancy/tenant-status';
import { publishTenantOriginsChanged } from '../../platform/contracts/tenancy/tenant-origin-events';
import { publishTenantStatusChanged } from '../../platform/contracts/tenancy/tenant-status-cache';
import { tenantOriginsRoute } from './routes/tenant-origins.route';
import { tenantStatusRoute } from './routes/tenant-status.route';
import { refuseLiveTenant, TENANCY_PURGE_TABLES } from './routes/tenant-purge.route';
import type { TenantSettingsOptions } from './services/tenant-settings.service';

/** What the tenancy process builds once for tenant settings, deletion and administration. */
export interface TenantLifecycleServices {
  settings: TenantSettingsOptions;
  /** Enqueues the worker's purge of a deleted tenant (see TenantLifecycleHooks). */
  purgeDeletedTenant: (tenantId: string) => Promise<void>;
  /** Announces a committed status change (suspended, reinstated) to every service's cache. */
  statusChanged: (tenantId: string) => Promise<void>;
}

/**
 * The queue that deleted tenants' purges go to, and the internal routes of this part of
 * tenancy: the CORS origins lookup for the gateway, the tenant status lookup and tenancy's own
 * tenant purge.
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
  // Called after the commit; if Redis is down, the caches of other processes still expire
  // within their TTL, so the change succeeds and the failure is logged.
  const announce =
    (
      what: string,
      publish: (redis: RedisClient, prefix: string, tenantId: string) => Promise<void>,
    ) =>
    async (tenantId: string) => {
      try {
        await publish(redis, config.REDIS_PREFIX, tenantId);
      } catch (error) {
        logger.warn(
          { err: error, tenantId },
          `could not announce ${what}; other processes see it within their cache TTL`,
        );
      }
    };
  const originsChanged = announce('changed origins', publishTenantOriginsChanged);
  const statusChanged = announce('a tenant status change', publishTenantStatusChanged);

  return {
    services: {
      settings: { allowHttpOrigins: config.NODE_ENV !== 'production', originsChanged },
      statusChanged,
      purgeDeletedTenant: async (tenantId) => {
        // A deleted tenant allows no origin any more, and has no status.
        await originsChanged(tenantId);
        await statusChanged(tenantId);
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
      [tenantStatusCall.path]: tenantStatusRoute(runtime),
      [tenantPurgeCall.path]: tenantPurgeRoute(runtime, {
        tables: TENANCY_PURGE_TABLES,
        guard: refuseLiveTenant(dataSource),
      }),
    },
    close: () => purgeQueue.close(),
  };
}

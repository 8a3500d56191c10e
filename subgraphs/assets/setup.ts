import type { SubgraphRuntime, SubgraphServices } from '../../platform/subgraph/subgraph-service';
import { cacheCounter } from '../../platform/observability/cache-metrics';
import { closeRedis, createRedis } from '../../platform/redis/connection';
import { TenantStatuses } from '../../platform/contracts/tenancy/tenant-status-cache';
import type { AssetsConfig } from './config';
import { blobRoute } from './routes/blob-route';
import { ApiKeyOwners } from './services/api-key-owners';
import type { AssetsServices } from './services/assets-services';
import { BLOB_PATH_PREFIX } from '../../platform/contracts/assets/blob-path';
import { BlobUrls, blobUrlKeys } from './services/blob-urls';
import { createBlobStore } from './storage/create-blob-store';
import { journalArchiveCall } from '../../platform/contracts/assets/journal-archive';
import { journalArchiveMetrics } from './journal-archive/journal-archive-metrics';
import { journalArchiveRoute } from './routes/journal-archive.route';

/**
 * Builds the blob store, the URL signer, the tenant status cache and the `/blobs/` route of the
 * assets process.
 */
export async function setupAssets(
  runtime: SubgraphRuntime<AssetsConfig>,
): Promise<SubgraphServices<AssetsServices>> {
  const { config, dataSource, logger } = runtime;
  const store = await createBlobStore(config);
  // Without ASSETS_PUBLIC_URL (local runs only: production requires it), URLs point at this
  // process, whose port is known once it listens.
  let ownUrl = `http://${config.HOST}:${config.PORT}`;
  const urls = new BlobUrls({
    keys: blobUrlKeys(
      config.ASSETS_URL_SECRETS.length > 0
        ? config.ASSETS_URL_SECRETS
        : [runtime.signing.key.seed.reveal()],
    ),
    publicUrl: () => config.ASSETS_PUBLIC_URL ?? ownUrl,
    uploadTtlSeconds: config.ASSETS_UPLOAD_URL_TTL_SECONDS,
    downloadTtlSeconds: config.ASSETS_DOWNLOAD_URL_TTL_SECONDS,
  });
  // Suspended tenants' URLs are refused: statuses come from tenancy, cached until it
  // announces a change on this connection.
  const subscriber = createRedis(config, logger, { name: 'assets:tenant-status', blocking: true });
  const tenantStatuses = new TenantStatuses({
    internal: runtime.internal,
    subscriber,
    prefix: config.REDIS_PREFIX,
    countLookup: cacheCounter(runtime.metrics.registry, 'tenant_status'),
  });
  await tenantStatuses.start();
  logger.info({ storage: store.kind }, 'blob store ready');
  return {
    services: {
      store,
      urls,
      limits: {
        maxBytes: config.ASSETS_MAX_BYTES,
        quotaBytes: config.ASSETS_TENANT_QUOTA_BYTES,
        contentTypes: config.ASSETS_CONTENT_TYPES,
      },
      apiKeyOwners: new ApiKeyOwners(runtime.internal),
    },
    // The journal's retention archives expired months into this process's store.
    routes: {
      [journalArchiveCall.path]: journalArchiveRoute(runtime, {
        dataSource,
        store,
        logger,
        metrics: journalArchiveMetrics(runtime.metrics.registry),
      }),
    },
    prefixRoutes: {
      [BLOB_PATH_PREFIX]: {
        route: 'blobs',
        handle: blobRoute({ dataSource, store, urls, tenantStatuses, logger }),
      },
    },
    readiness: [{ name: 'blob-store', check: () => store.check() }],
    onListening: (url) => {
      ownUrl = url;
    },
    close: async () => {
      await tenantStatuses.stop();
      await closeRedis(subscriber);
    },
  };
}

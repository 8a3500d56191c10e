import type { Logger } from 'pino';
import { serviceSigning } from '../config/service-keys';
import { ReplayGuard } from '../context/replay-guard';
import { connect, createDataSource } from '../db/data-source';
import { startReadReplica } from '../db/start-read-replica';
import { InternalClient } from '../internal-calls/client';
import type { ServiceMetrics } from '../observability/metrics';
import { createRedis } from '../redis/connection';
import type { SubgraphConfig, SubgraphDefinition, SubgraphRuntime } from './subgraph-service';

export interface OpenedRuntime<TConfig extends SubgraphConfig> {
  runtime: SubgraphRuntime<TConfig>;
  /** The read replica's pool and lag watch; undefined without READ_DATABASE_URL. */
  readReplica: Awaited<ReturnType<typeof startReadReplica>>;
}

/**
 * Opens what every subgraph process holds for its life: the database pool (and the read
 * replica, when configured), Redis, its signing key, the replay guard and the internal client.
 */
export async function openSubgraphRuntime<TConfig extends SubgraphConfig>(
  definition: Pick<SubgraphDefinition<object>, 'name' | 'entities'>,
  config: TConfig,
  logger: Logger,
  metrics: ServiceMetrics,
): Promise<OpenedRuntime<TConfig>> {
  const dataSource = await connect(
    createDataSource(config, {
      applicationName: `tessera-${definition.name}`,
      entities: definition.entities,
      logger,
      registry: metrics.registry,
    }),
  );
  const redis = createRedis(config, logger, { name: `${definition.name}:main` });
  const readReplica = await startReadReplica(config, {
    primary: dataSource,
    redis,
    applicationName: `tessera-${definition.name}`,
    entities: definition.entities,
    logger,
    registry: metrics.registry,
  });
  const signing = serviceSigning(config, definition.name);
  const runtime: SubgraphRuntime<TConfig> = {
    config,
    logger,
    metrics,
    dataSource,
    redis,
    signing,
    replayGuard: new ReplayGuard(redis, config.REDIS_PREFIX, config.CONTEXT_MAX_AGE_SECONDS),
    internal: new InternalClient({
      signer: signing.signer,
      urls: { auth: config.AUTH_INTERNAL_URL, tenancy: config.TENANCY_INTERNAL_URL },
      logger,
    }),
  };
  return { runtime, readReplica };
}

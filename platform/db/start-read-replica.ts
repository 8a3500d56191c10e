import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import type { RedisClient } from '../redis/connection';
import { createDataSource, type DatabaseConfig } from './data-source';
import { ReadReplica } from './read-replica';
import { serveReadsFrom } from './read-transaction';
import { recordWritePositions, WritePositions } from './write-positions';

export interface ReadReplicaConfig extends DatabaseConfig {
  READ_DATABASE_URL?: string;
  READ_DATABASE_MAX_LAG_SECONDS: number;
  REDIS_PREFIX: string;
}

/**
 * With READ_DATABASE_URL set, opens the replica's pool (same role, sizes and timeouts as the
 * primary's), records callers' write positions on the primary and routes the primary's
 * lag-tolerant reads to the replica. Without it, nothing changes: every read stays on the
 * primary. A replica that is down at start only means reads go to the primary until it is up.
 */
export async function startReadReplica(
  config: ReadReplicaConfig,
  options: {
    primary: DataSource;
    redis: RedisClient;
    applicationName: string;
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    entities: MixedList<Function | string | EntitySchema>;
    logger: Logger;
    registry: Registry;
  },
): Promise<ReadReplica | undefined> {
  if (!config.READ_DATABASE_URL) return undefined;
  const replica = createDataSource(
    { ...config, DATABASE_URL: config.READ_DATABASE_URL },
    {
      applicationName: `${options.applicationName}-replica`,
      entities: options.entities,
      logger: options.logger,
      registry: options.registry,
    },
  );
  const maxLagMs = config.READ_DATABASE_MAX_LAG_SECONDS * 1000;
  // Past twice the lag bound a replica still behind a caller's write serves nobody anyway.
  const positions = new WritePositions(options.redis, config.REDIS_PREFIX, 2 * maxLagMs + 1_000);
  recordWritePositions(options.primary, positions, options.logger);
  const reads = new ReadReplica({
    primary: options.primary,
    replica,
    positions,
    maxLagSeconds: config.READ_DATABASE_MAX_LAG_SECONDS,
    registry: options.registry,
    logger: options.logger,
  });
  await reads.start();
  serveReadsFrom(options.primary, reads);
  return reads;
}

import 'reflect-metadata';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { observePool } from './pool-metrics';
import { queryLogger } from './query-logger';

export interface DatabaseConfig {
  DATABASE_URL: string;
  DATABASE_POOL_MAX: number;
  DATABASE_CONNECT_TIMEOUT_MS: number;
  DATABASE_IDLE_TIMEOUT_MS: number;
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  DATABASE_LOG_QUERIES: boolean;
  DATABASE_SLOW_QUERY_MS: number;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Entities = MixedList<Function | string | EntitySchema>;

/**
 * A pooled TypeORM data source with the timeouts that make an exhausted or unreachable
 * database fail fast instead of piling up requests. Schema changes come only from migrations.
 */
export function createDataSource(
  config: DatabaseConfig,
  options: { applicationName: string; entities: Entities; logger: Logger; registry?: Registry },
): DataSource {
  const dataSource = new DataSource({
    type: 'postgres',
    url: config.DATABASE_URL,
    entities: options.entities,
    synchronize: false,
    migrationsRun: false,
    // Migrations create what the schema needs; a service's role may create nothing, so
    // TypeORM's attempt at start could only fail (and warn in every process's log).
    installExtensions: false,
    logger: queryLogger(options.logger, options.registry, config.DATABASE_LOG_QUERIES),
    maxQueryExecutionTime: config.DATABASE_SLOW_QUERY_MS,
    applicationName: options.applicationName,
    poolErrorHandler: (error: unknown) =>
      options.logger.warn({ err: error }, 'database pool error'),
    extra: {
      max: config.DATABASE_POOL_MAX,
      connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: config.DATABASE_IDLE_TIMEOUT_MS,
      statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS * 2,
    },
  });
  if (options.registry) {
    observePool(options.registry, options.applicationName, dataSource, config.DATABASE_POOL_MAX);
  }
  return dataSource;
}

/** Opens the pool, so a process that cannot reach its database fails at start, not later. */
export async function connect(dataSource: DataSource): Promise<DataSource> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  return dataSource;
}

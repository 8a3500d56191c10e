import type { Logger as PinoLogger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's logger slot used for two things operators need: a count of every statement
 * (which is how tests prove a list costs a constant number of queries) and a warning with the
 * statement text for each slow one. Parameters are never logged; they may hold secrets.
 */
export function queryLogger(
  logger: PinoLogger,
  registry: Registry | undefined,
  logStatements: boolean,
): TypeOrmLogger {
  // A process with a read replica has two pools; both count in the one counter.
  const queries = registry
    ? ((registry.getSingleMetric('tessera_db_queries_total') as Counter<'outcome'> | undefined) ??
      new Counter({
        name: 'tessera_db_queries_total',
        help: 'SQL statements sent to PostgreSQL, by outcome (ok, error or slow).',
        labelNames: ['outcome'],
        registers: [registry],
      }))
    : undefined;
  return {
    logQuery(query) {
      queries?.inc({ outcome: 'ok' });
      if (logStatements) logger.debug({ query }, 'sql');
    },
    logQueryError(error, query) {
      queries?.inc({ outcome: 'error' });
      logger.debug({ err: error, query }, 'sql failed');
    },
    logQuerySlow(time, query) {
      queries?.inc({ outcome: 'slow' });
      logger.warn({ durationMs: time, query: query.slice(0, 2_000) }, 'slow sql');
    },
    logSchemaBuild() {},
    logMigration(message) {
      logger.info({ migration: message }, 'migration');
    },
    log(level, message) {
      if (level === 'warn') logger.warn({ typeorm: message }, 'typeorm warning');
    },
  };
}

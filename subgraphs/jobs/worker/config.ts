import {
  environment,
  integer,
  loadConfig,
  port,
  redis,
  requireRedisNodesOutsideStandalone,
} from '../../../platform/config';

export const workerConfigShape = {
  ...environment,
  ...redis,
  PORT: port(4006),
  WORKER_CONCURRENCY: integer(4, 1, 256),
  /** Completed and failed jobs older than this are removed by the purge. */
  JOB_RETENTION_HOURS: integer(24 * 7, 1, 24 * 365),
  PURGE_INTERVAL_SECONDS: integer(3600, 10, 86_400),
};

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadWorkerConfig(env?: NodeJS.ProcessEnv) {
  return loadConfig(workerConfigShape, [requireRedisNodesOutsideStandalone], env);
}

import type { z } from 'zod';
import {
  database,
  environment,
  integer,
  loadConfig,
  port,
  redis,
  refuseDevelopmentKeysInProduction,
  requireRedisNodesOutsideStandalone,
  serviceKeys,
  url,
  type ConfigRule,
} from '../../../platform/config';
import { relayConfigShape } from '../relay/relay-config';
import { alertWorkerConfigRules, alertWorkerConfigShape } from './alerts/alert-config';
import { mailWorkerConfigShape } from './mail/mail-config';
import { webhookConfigRules, webhookWorkerConfigShape } from '../webhooks/webhook-config';

// The defaults of platform/schema/compose.ts, spelled out: the worker need not load composition.
const subgraphUrl = (port: number) => url(['http', 'https'], `http://127.0.0.1:${port}/graphql`);

export const workerConfigShape = {
  ...environment,
  ...redis,
  /** Signs the worker's calls to the subgraphs' internal routes (purges, re-encryption). */
  ...serviceKeys('worker'),
  /** The worker's own role; the event relay reads across tenants only through its functions. */
  ...database('worker'),
  ...relayConfigShape,
  /** Alerting: the evaluation period, and mail and outbound settings for notifications. */
  ...alertWorkerConfigShape,
  /** The durable mail outbox: drain period, attempts and backoff. */
  ...mailWorkerConfigShape,
  /** Webhook delivery: key ring, SSRF policy, timeout, retry schedule, throttle, locks. */
  ...webhookWorkerConfigShape,
  PORT: port(4006),
  WORKER_CONCURRENCY: integer(4, 1, 256),
  /** Completed and failed jobs older than this are removed by the purge. */
  JOB_RETENTION_HOURS: integer(24 * 7, 1, 24 * 365),
  PURGE_INTERVAL_SECONDS: integer(3600, 10, 86_400),
  /**
   * The subgraphs, as the gateway names them; the worker calls the internal routes at each
   * URL's origin (a deleted tenant's purge calls every one of them).
   */
  SUBGRAPH_AUTH_URL: subgraphUrl(4001),
  SUBGRAPH_TENANCY_URL: subgraphUrl(4002),
  SUBGRAPH_ASSETS_URL: subgraphUrl(4003),
  SUBGRAPH_JOBS_URL: subgraphUrl(4004),
  SUBGRAPH_OBSERVABILITY_URL: subgraphUrl(4005),
};

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

type ParsedWorkerConfig = z.infer<z.ZodObject<typeof workerConfigShape>>;

export const workerConfigRules: ConfigRule<ParsedWorkerConfig>[] = [
  refuseDevelopmentKeysInProduction('worker'),
  requireRedisNodesOutsideStandalone,
  ...alertWorkerConfigRules,
  ...webhookConfigRules,
];

export function loadWorkerConfig(env?: NodeJS.ProcessEnv) {
  return loadConfig(workerConfigShape, workerConfigRules, env);
}

import type { z } from 'zod';
import {
  database,
  environment,
  redis,
  requireRedisNodesOutsideStandalone,
} from '../../../platform/config/service';
import { integer, port, url } from '../../../platform/config/fields';
import { loadConfig, type ConfigRule } from '../../../platform/config/load';
import {
  refuseDevelopmentKeysInProduction,
  serviceKeys,
} from '../../../platform/config/service-keys';
import { relayConfigShape } from '../relay/relay-config';
import { alertWorkerConfigRules, alertWorkerConfigShape } from './alerts/alert-config';
import { backupConfigRules, backupConfigShape } from './backup/backup-config';
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
  /** Scheduled, verified database backups: BACKUP_CRON, BACKUP_DATABASE_URL, BACKUP_DIR, ... */
  ...backupConfigShape,
  PORT: port(4006).describe('`0` picks a free port (logged).'),
  WORKER_CONCURRENCY: integer(4, 1, 256).describe('Jobs run at once per queue.'),
  WORKER_NICE: integer(10, 0, 19).describe(
    "The worker's CPU niceness (0-19): where it shares cores with the API's processes, a burst of deliveries waits for the CPU instead of taking it from requests.",
  ),
  JOB_RETENTION_HOURS: integer(24 * 7, 1, 24 * 365).describe(
    'Completed and failed jobs older than this are removed by the purge.',
  ),
  PURGE_INTERVAL_SECONDS: integer(3600, 10, 86_400).describe(
    'How often each retention purge runs (one job scheduler per target).',
  ),
  JOURNAL_PARTITIONS_AHEAD: integer(3, 1, 24).describe(
    'Month partitions of the event journal kept present after the current one.',
  ),
  WORKER_USAGE_FLUSH_MS: integer(5_000, 100, 600_000).describe(
    'How often the worker reports its webhook deliveries per tenant to observability.',
  ),
  WORKER_STORAGE_SAMPLE_MS: integer(300_000, 100, 86_400_000).describe(
    "How often the worker samples the bytes each tenant's assets hold (daily storage usage).",
  ),
  SUBGRAPH_AUTH_URL: subgraphUrl(4001).describe(
    "The auth subgraph's URL, as the gateway names it; the worker calls internal routes at its origin (a deleted tenant's purge calls every subgraph).",
  ),
  SUBGRAPH_TENANCY_URL: subgraphUrl(4002).describe(
    "The tenancy subgraph's URL; the worker calls internal routes at its origin.",
  ),
  SUBGRAPH_ASSETS_URL: subgraphUrl(4003).describe(
    "The assets subgraph's URL; the worker calls internal routes at its origin.",
  ),
  SUBGRAPH_JOBS_URL: subgraphUrl(4004).describe(
    "The jobs subgraph's URL; the worker calls internal routes at its origin.",
  ),
  SUBGRAPH_OBSERVABILITY_URL: subgraphUrl(4005).describe(
    "The observability subgraph's URL; the worker calls internal routes at its origin.",
  ),
};

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

type ParsedWorkerConfig = z.infer<z.ZodObject<typeof workerConfigShape>>;

export const workerConfigRules: ConfigRule<ParsedWorkerConfig>[] = [
  refuseDevelopmentKeysInProduction('worker'),
  requireRedisNodesOutsideStandalone,
  ...alertWorkerConfigRules,
  ...webhookConfigRules,
  ...backupConfigRules,
];

export function loadWorkerConfig(env?: NodeJS.ProcessEnv) {
  return loadConfig(workerConfigShape, workerConfigRules, env);
}

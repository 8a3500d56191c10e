import { Queue } from 'bullmq';
import {
  alertRecipientPolicy,
  type AlertRecipientPolicy,
} from '../../platform/contracts/observability/alert-recipients';
import { outboundPolicyFromConfig } from '../../platform/config/outbound';
import { reencryptCall } from '../../platform/contracts/subgraphs/reencrypt';
import { KeyRing } from '../../platform/crypto/key-ring';
import type { SubgraphRuntime, SubgraphServices } from '../../platform/subgraph/subgraph-service';
import { reencryptRoute } from '../../platform/subgraph/routes/reencrypt.route';
import { cacheCounter } from '../../platform/observability/cache-metrics';
import { ALL_QUEUES, QueueName } from '../../platform/contracts/jobs/queue-names';
import { closeRedis, createRedis, queuePrefix } from '../../platform/redis/connection';
import { TenantStatuses } from '../../platform/contracts/tenancy/tenant-status-cache';
import { AUDIT_EXPORT_PATH_PREFIX } from '../../platform/contracts/observability/audit-export-path';
import { AuditExportUrls } from './audit/audit-export-urls';
import { AuditRecorder } from './audit/audit-recorder';
import { processTargets, type ObservabilityConfig } from './config';
import { MetricsScraper } from './probes/metrics-scraper';
import { ReadinessProbe } from './probes/readiness-probe';
import { alertEvaluationRoute } from './routes/alert-evaluation.route';
import { auditExportRoute } from './routes/audit-export.route';
import { usageReportRoute } from './routes/usage-report.route';
import type { AlertChannelDeps } from './alerts/channels/alert-channel.service';
import { observabilitySecretStores } from './alerts/channels/alert-channel-reencryption';
import { AlertEvaluator } from './alerts/evaluation/alert-evaluator.service';

/** What the observability process builds once and shares across requests. */
export interface ObservabilityServices {
  readiness: ReadinessProbe;
  /** One handle per queue: counts for queueStats, and alert notifications into `alerts`. */
  queues: Queue[];
  /** Whom a tenant's rules may mail (checked when a rule is written). */
  recipients: AlertRecipientPolicy;
  /** Signs the audit export URLs platform administrators ask for. */
  auditExportUrls: AuditExportUrls;
  /** Encrypts Slack and PagerDuty channels' secrets, and vets Slack URLs. */
  alertChannels: AlertChannelDeps;
}

export async function setupObservability(
  runtime: SubgraphRuntime<ObservabilityConfig>,
): Promise<SubgraphServices<ObservabilityServices>> {
  const { config, logger, redis, dataSource, metrics } = runtime;
  const targets = processTargets(config);
  const queues = ALL_QUEUES.map((name) => {
    const queue = new Queue(name, { connection: redis, prefix: queuePrefix(config.REDIS_PREFIX) });
    queue.on('error', (error) => logger.warn({ err: error, queue: name }, 'queue error'));
    return queue;
  });
  const { tenantStatuses, subscriber } = await startTenantStatuses(runtime);
  const keyRing = KeyRing.fromConfig(config.ENCRYPTION_KEYS);
  const evaluator = new AlertEvaluator({
    dataSource,
    scraper: new MetricsScraper(targets, metrics.registry, config.PROBE_TIMEOUT_MS),
    tenantStatuses,
    queue: queues.find((queue) => queue.name === QueueName.ALERTS)!,
    dispatchAttempts: config.ALERT_DISPATCH_ATTEMPTS,
    dispatchBackoffMs: config.ALERT_DISPATCH_BACKOFF_MS,
    logger,
  });
  const auditExportUrls = new AuditExportUrls(
    runtime.signing.key.seed.reveal(),
    config.AUDIT_EXPORT_URL_TTL_SECONDS,
    config.AUDIT_EXPORT_PUBLIC_URL,
  );
  const auditRecorder = new AuditRecorder({
    dataSource,
    registry: metrics.registry,
    logger,
    intervalMs: config.AUDIT_RECORD_INTERVAL_MS,
    retentionDays: config.AUDIT_RETENTION_DAYS,
  });
  auditRecorder.start();
  return {
    services: {
      readiness: new ReadinessProbe(targets, config.PROBE_TIMEOUT_MS),
      queues,
      recipients: alertRecipientPolicy({
        allowed: config.ALERT_EMAIL_ALLOWED_RECIPIENTS,
        internal: runtime.internal,
        logger,
      }),
      auditExportUrls,
      alertChannels: {
        keyRing,
        secrets: {
          allowHttp: config.NODE_ENV !== 'production',
          policy: outboundPolicyFromConfig(config),
        },
      },
    },
    routes: {
      ...alertEvaluationRoute(runtime, evaluator),
      ...usageReportRoute(runtime),
      [reencryptCall.path]: reencryptRoute(runtime, keyRing, observabilitySecretStores(dataSource)),
    },
    prefixRoutes: {
      [AUDIT_EXPORT_PATH_PREFIX]: {
        route: 'audit-exports',
        handle: auditExportRoute(dataSource, auditExportUrls, logger),
      },
    },
    close: async () => {
      await auditRecorder.stop();
      await tenantStatuses.stop();
      await closeRedis(subscriber);
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}

/**
 * A suspended tenant's rules are paused: statuses come from tenancy, cached until it
 * announces a change on the returned subscriber connection.
 */
async function startTenantStatuses(runtime: SubgraphRuntime<ObservabilityConfig>) {
  const { config, logger, metrics } = runtime;
  const subscriber = createRedis(config, logger, {
    name: 'observability:tenant-status',
    blocking: true,
  });
  const tenantStatuses = new TenantStatuses({
    internal: runtime.internal,
    timeoutMs: config.PROBE_TIMEOUT_MS,
    subscriber,
    prefix: config.REDIS_PREFIX,
    countLookup: cacheCounter(metrics.registry, 'tenant_status'),
  });
  await tenantStatuses.start();
  return { tenantStatuses, subscriber };
}

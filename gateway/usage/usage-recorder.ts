import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { InternalClient } from '../../platform/internal-calls/client';
import { UsageAggregator } from '../../platform/usage/usage-aggregator';
import type { OperationType } from '../../platform/usage/usage-counts';
import type { UsageQuota } from '../../platform/usage/usage-quota';
import { startUsageReporter } from '../../platform/usage/usage-reporter';

export interface UsageRecorderOptions {
  internal: InternalClient;
  quota: UsageQuota;
  flushMs: number;
  registry: Registry;
  logger: Logger;
  now?: () => number;
}

export interface UsageRecorder {
  /** The quota's decision on one operation in a tenant, then counts it (only if admitted). */
  admit(tenantId: string, operationType: OperationType): Promise<void>;
  responseBytes(tenantId: string, bytes: number): void;
  subscriptionStarted(tenantId: string): void;
  subscriptionEnded(tenantId: string): void;
  /** Sends what was counted now (and waits for a report already on its way). */
  flush(): Promise<void>;
  /** Stops the timer and sends the rest. */
  stop(): Promise<void>;
}

/**
 * The gateway's usage counting: in memory per tenant and UTC day, reported to observability
 * every `flushMs` (platform/usage/usage-reporter.ts; never a write per request). Prometheus
 * gets totals only, never a tenant label: the per-tenant figures are `tenantUsage`'s.
 */
export function startUsageRecorder(options: UsageRecorderOptions): UsageRecorder {
  const counts = new UsageAggregator(options.now);
  const metrics = usageMetrics(options.registry);
  const reporter = startUsageReporter({
    counts,
    internal: options.internal,
    flushMs: options.flushMs,
    logger: options.logger,
    onReport: (outcome) => metrics.reports.inc({ outcome }),
  });
  return {
    async admit(tenantId, operationType) {
      await options.quota.admit({ tenantId, operationType });
      counts.request(tenantId);
      counts.operation(tenantId, operationType);
      metrics.operations.inc({ operation_type: operationType });
    },
    responseBytes(tenantId, bytes) {
      counts.responseBytes(tenantId, bytes);
      metrics.responseBytes.inc(bytes);
    },
    subscriptionStarted: (tenantId) => counts.subscriptionStarted(tenantId),
    subscriptionEnded: (tenantId) => counts.subscriptionEnded(tenantId),
    flush: () => reporter.flush(),
    stop: () => reporter.stop(),
  };
}

/**
 * `tessera_usage_operations_total{operation_type}`, `tessera_usage_response_bytes_total` and
 * `tessera_usage_reports_total{outcome}`: what all tenants used, with labels from fixed sets.
 */
function usageMetrics(registry: Registry) {
  return {
    operations: new Counter({
      name: 'tessera_usage_operations_total',
      help: 'Operations admitted in a tenant, by type (query, mutation, subscription); per tenant in tenantUsage.',
      labelNames: ['operation_type'],
      registers: [registry],
    }),
    responseBytes: new Counter({
      name: 'tessera_usage_response_bytes_total',
      help: 'Bytes of HTTP GraphQL answers to operations in a tenant; per tenant in tenantUsage.',
      registers: [registry],
    }),
    reports: new Counter({
      name: 'tessera_usage_reports_total',
      help: 'Usage reports sent to observability, by outcome (ok, failed: kept for the next).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

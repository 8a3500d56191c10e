import { ValidationError } from '../../../platform/errors/domain-errors';
import { EVENT_TYPES } from '../../../platform/events/event-types';
import type { RuleOwner } from './alert-scope';

/**
 * What an alert rule may watch, with how its value is read and what the rule compares:
 * - gauge: the current value, summed over every series (or their max, for lags and memory);
 * - counter: the per-second rate since the previous evaluation, so a threshold reads "more
 *   than 5 failed jobs per second", not "5 since the process started".
 * Label matchers narrow the series: `tessera_jobs_processed_total{outcome="failed"}`; only the
 * labels listed here may be matched, so a rule cannot depend on an unbounded label.
 *
 * Two sources, two owners:
 * - `scrape`: Tessera's own process metrics, read from every process's /metrics. They count
 *   every tenant's traffic together (an operation name, a sign-in rate), so only platform
 *   rules may watch them;
 * - `journal`: figures computed from the rule owner's own rows, read in the owner's
 *   transaction under row-level security: a tenant's rule sees that tenant's figures and
 *   nobody else's, by construction. Tenant rules watch these only.
 */
export interface AlertMetric {
  kind: 'gauge' | 'counter';
  aggregate: 'sum' | 'max';
  labels: readonly string[];
  source: 'scrape' | 'journal';
  /** A label's allowed values, where the set is known (the journal's event types). */
  values?: Readonly<Record<string, readonly string[]>>;
}

export const PLATFORM_METRICS: Readonly<Record<string, AlertMetric>> = {
  tessera_http_requests_total: counter(['method', 'route', 'status']),
  tessera_graphql_operations_total: counter(['operation_type', 'operation_name', 'outcome']),
  tessera_db_queries_total: counter(['outcome']),
  tessera_jobs_processed_total: counter(['queue', 'outcome']),
  tessera_rate_limit_rejections_total: counter(['limit']),
  tessera_auth_attempts_total: counter(['kind', 'outcome']),
  tessera_gateway_authentications_total: counter(['method', 'outcome']),
  tessera_relay_events_published_total: counter([]),
  tessera_subscription_events_dropped_total: counter(['reason']),
  tessera_alert_notifications_total: counter(['channel', 'outcome']),
  tessera_cache_lookups_total: counter(['cache', 'result']),
  tessera_dead_letters_total: counter(['queue']),
  tessera_webhook_deliveries_total: counter(['outcome']),
  tessera_relay_lag_seconds: gauge('max', []),
  // Every worker pod reports the same shared queues: their max, not their sum.
  tessera_queue_jobs: gauge('max', ['queue', 'state']),
  tessera_db_pool_waiting_clients: gauge('max', ['pool']),
  tessera_relay_active: gauge('sum', []),
  tessera_ws_connections: gauge('sum', []),
  tessera_subscriptions_active: gauge('sum', []),
  tessera_process_resident_memory_bytes: gauge('max', []),
  tessera_nodejs_eventloop_lag_seconds: gauge('max', []),
};

/** The owner's events in the journal per second, optionally of one `type`. */
export const JOURNAL_EVENTS_METRIC = 'tessera_journal_events_total';

export const OWNER_METRICS: Readonly<Record<string, AlertMetric>> = {
  [JOURNAL_EVENTS_METRIC]: {
    kind: 'counter',
    aggregate: 'sum',
    labels: ['type'],
    source: 'journal',
    values: { type: EVENT_TYPES },
  },
};

/** What an owner's rules may watch: a tenant's, its own figures; the platform's, everything. */
export function metricsFor(owner: RuleOwner): Readonly<Record<string, AlertMetric>> {
  return owner === 'tenant' ? OWNER_METRICS : { ...PLATFORM_METRICS, ...OWNER_METRICS };
}

function counter(labels: string[]): AlertMetric {
  return { kind: 'counter', aggregate: 'sum', labels: ['service', ...labels], source: 'scrape' };
}

function gauge(aggregate: 'sum' | 'max', labels: string[]): AlertMetric {
  return { kind: 'gauge', aggregate, labels: ['service', ...labels], source: 'scrape' };
}

/** A rule's `metric`, read: the name and the label values its series must have. */
export interface MetricSelector {
  name: string;
  matchers: Record<string, string>;
  metric: AlertMetric;
}

const SELECTOR = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})?$/;
const MATCHER = /^([a-z_][a-z0-9_]*)="([A-Za-z0-9_.:/-]{1,64})"$/;
export const MAX_METRIC_LENGTH = 300;

/**
 * Parses and checks a rule's metric against what its owner may watch; throws a
 * ValidationError (a tenant naming a platform-wide metric is told so).
 */
export function parseMetricSelector(value: string, owner: RuleOwner): MetricSelector {
  const allowedMetrics = metricsFor(owner);
  const refuse = (why: string) =>
    new ValidationError(`metric ${why}`, { field: 'metric', allowed: Object.keys(allowedMetrics) });
  const trimmed = value.trim();
  const match = trimmed.length <= MAX_METRIC_LENGTH ? SELECTOR.exec(trimmed) : null;
  if (!match) throw refuse('must look like tessera_name or tessera_name{label="value"}');
  const [, name, body] = match as unknown as [string, string, string | undefined];
  const metric = allowedMetrics[name];
  if (!metric && PLATFORM_METRICS[name]) {
    throw refuse(
      `"${name}" is platform-wide (it counts every tenant's traffic): a tenant's rules watch ` +
        `the tenant's own figures, ${Object.keys(OWNER_METRICS).join(', ')}`,
    );
  }
  if (!metric) throw refuse(`"${name}" is not one of the metrics alert rules may watch`);
  const matchers: Record<string, string> = {};
  for (const part of body ? body.split(',') : []) {
    const matcher = MATCHER.exec(part.trim());
    if (!matcher) throw refuse(`label matcher "${part.trim().slice(0, 80)}" must be name="value"`);
    const [, label, labelValue] = matcher as unknown as [string, string, string];
    if (!metric.labels.includes(label)) {
      throw refuse(`${name} has no label "${label}" to match (${metric.labels.join(', ')})`);
    }
    if (metric.values?.[label] && !metric.values[label].includes(labelValue)) {
      throw refuse(`${name} has no ${label} "${labelValue}" (see the event types of the journal)`);
    }
    matchers[label] = labelValue;
  }
  return { name, matchers, metric };
}

/** The stored spelling: labels sorted, so two spellings of one selector compare equal. */
export function formatMetricSelector(selector: Pick<MetricSelector, 'name' | 'matchers'>): string {
  const labels = Object.keys(selector.matchers).sort();
  if (labels.length === 0) return selector.name;
  return `${selector.name}{${labels.map((label) => `${label}="${selector.matchers[label]}"`).join(',')}}`;
}

import { Counter, Histogram, type Registry } from 'prom-client';

/** What became of one run of a delivery job (bounded: a metric label). */
export const DELIVERY_OUTCOMES = [
  /** 2xx. */
  'succeeded',
  /** Failed; a retry is scheduled. */
  'failed',
  /** The last attempt failed, 410 Gone, or the endpoint/event is no longer there to send. */
  'dead',
  /** Over the endpoint's rate limit: put back, not attempted. */
  'throttled',
  /** Another job is in charge, or the delivery finished or went away: nothing sent. */
  'skipped',
  /** The tenant is suspended: put back until it is reinstated, not attempted. */
  'held',
  /** The endpoint has WEBHOOK_ENDPOINT_CONCURRENCY attempts in flight: put back, not attempted. */
  'deferred',
] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface WebhookMetrics {
  deliveries: Counter<'outcome'>;
  duration: Histogram;
}

/** On the worker's registry, beside the relay's and the queues' metrics. */
export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const deliveries = new Counter({
    name: 'tessera_webhook_deliveries_total',
    help: 'Webhook delivery job runs by outcome: succeeded, failed (retry scheduled), dead, throttled, skipped, held (tenant suspended), deferred (endpoint at its concurrency cap).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of DELIVERY_OUTCOMES) deliveries.inc({ outcome }, 0);
  return {
    deliveries,
    duration: new Histogram({
      name: 'tessera_webhook_delivery_duration_seconds',
      help: 'Time from the start of a webhook attempt (DNS included) to the end of its answer.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers: [registry],
    }),
  };
}

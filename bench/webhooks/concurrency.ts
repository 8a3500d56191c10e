import { webhookWorkerConfigShape } from '../../subgraphs/jobs/webhooks/webhook-config';
import { positiveIntegerFromEnv } from '../lib/env-number';

/**
 * Deliveries one worker process sends at once in the webhook benches, Tessera's and the bare
 * baseline's alike: BENCH_WEBHOOK_CONCURRENCY, else the worker's own default
 * (WEBHOOK_CONCURRENCY), so the figures are those of the shipped setting.
 */
export function webhookBenchConcurrency(): number {
  return positiveIntegerFromEnv(
    'BENCH_WEBHOOK_CONCURRENCY',
    webhookWorkerConfigShape.WEBHOOK_CONCURRENCY.parse(undefined),
  );
}

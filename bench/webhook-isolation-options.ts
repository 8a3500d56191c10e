import { integer } from '../platform/config/fields';
import { parseConfig } from '../platform/config/load';
import type { IsolationOptions } from './webhook-isolation.bench';
import { webhookBenchConcurrency } from './webhooks/concurrency';

const isolationShape = {
  /** Endpoints in the burst, each of its own tenant; one of them is the slow one. */
  BENCH_ISOLATION_ENDPOINTS: integer(100, 2, 1_000),
  /** Events per tenant: the burst is endpoints × this many deliveries. */
  BENCH_ISOLATION_EVENTS_PER_ENDPOINT: integer(20, 1, 1_000),
  /** How long the slow endpoint holds each answer (below the worker's 15 s attempt deadline). */
  BENCH_ISOLATION_SLOW_MS: integer(5_000, 100, 14_000),
};

/** The isolation bench's shape from BENCH_ISOLATION_* (issue defaults: 100 endpoints, 5 s). */
export function webhookIsolationOptions(): IsolationOptions {
  const config = parseConfig(isolationShape, process.env);
  return {
    endpoints: config.BENCH_ISOLATION_ENDPOINTS,
    eventsPerEndpoint: config.BENCH_ISOLATION_EVENTS_PER_ENDPOINT,
    concurrency: webhookBenchConcurrency(),
    slowMs: config.BENCH_ISOLATION_SLOW_MS,
  };
}

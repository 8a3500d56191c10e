import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RedisClient } from '../../../../platform/redis/connection';
import { EndpointBulkhead, type SlotClaim } from './endpoint-bulkhead';
import { LocalSlotWaiters } from './local-slot-waiters';
import type { WebhookMetrics } from './webhook-metrics';

/**
 * A slot stays leased this long past the attempt's own deadline (WEBHOOK_TIMEOUT_MS) when
 * its worker never gives it back: room for the attempt's recording and a busy event loop,
 * short enough that a killed worker's slots are free again before its jobs' locks expire.
 */
const LEASE_MARGIN_MS = 5_000;

/** Endpoint in-flight counts observed; the cap's default and a few above it for wide caps. */
const IN_FLIGHT_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128];

export interface EndpointSlotsConfig {
  REDIS_PREFIX: string;
  WEBHOOK_TIMEOUT_MS: number;
  WEBHOOK_ENDPOINT_CONCURRENCY: number;
  WEBHOOK_ENDPOINT_DEFER_MS: number;
}

/** What the processor asks before each attempt (see {@link claimEndpointSlot}). */
export interface EndpointSlots {
  bulkhead: EndpointBulkhead;
  deferMs: number;
  /** How long a slot lasts if never given back (its expiry tells when it was taken). */
  leaseMs: number;
  waiters: LocalSlotWaiters;
  metrics: EndpointSlotMetrics;
  logger: Logger;
}

interface EndpointSlotMetrics {
  /** Slots this process holds now; summed over processes, the deliveries in flight. */
  held: Gauge;
  /** The endpoint's in-flight count (every worker) at each claim, admitted or not. */
  inFlight: Histogram;
  /** Claims Redis could not answer, admitted without a slot. */
  errors: Counter;
}

/** The worker's per-endpoint bulkhead and its metrics (no endpoint label: ids are unbounded). */
export function createEndpointSlots(
  redis: RedisClient,
  config: EndpointSlotsConfig,
  registry: Registry,
  logger: Logger,
): EndpointSlots {
  const leaseMs = config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS;
  return {
    bulkhead: new EndpointBulkhead(redis, {
      prefix: config.REDIS_PREFIX,
      cap: config.WEBHOOK_ENDPOINT_CONCURRENCY,
      leaseMs,
    }),
    deferMs: config.WEBHOOK_ENDPOINT_DEFER_MS,
    leaseMs,
    waiters: new LocalSlotWaiters(),
    logger,
    metrics: {
      held: new Gauge({
        name: 'tessera_webhook_endpoint_slots_held',
        help: 'Webhook attempts this process has in flight under the per-endpoint concurrency cap (WEBHOOK_ENDPOINT_CONCURRENCY).',
        registers: [registry],
      }),
      inFlight: new Histogram({
        name: 'tessera_webhook_endpoint_in_flight',
        help: "An endpoint's attempts in flight across every worker, observed at each claim of one of its slots (admitted or deferred).",
        buckets: IN_FLIGHT_BUCKETS,
        registers: [registry],
      }),
      errors: new Counter({
        name: 'tessera_webhook_endpoint_slot_errors_total',
        help: 'Per-endpoint slot claims Redis could not answer; the attempt went ahead without a slot.',
        registers: [registry],
      }),
    },
  };
}

/** An attempt's slot: give it back once the attempt is recorded. */
export interface HeldSlot {
  release(): Promise<void>;
}

/**
 * Takes a slot of the endpoint for a delivery job's run, up to the end of its attempt. When its WEBHOOK_ENDPOINT_CONCURRENCY
 * attempts are all in flight (a slow receiver), the job goes back to the delayed set for
 * about WEBHOOK_ENDPOINT_DEFER_MS instead of holding a worker slot while it waits: the other
 * endpoints keep the rest of the workers. Deferring spends none of the delivery's attempts
 * and none of the job's, and changes no order the platform promises (deliveries run in
 * parallel and receivers order by `seq`).
 */
export async function claimEndpointSlot(
  job: Job,
  token: string | undefined,
  endpointId: string,
  slots: EndpointSlots,
  { deliveries }: Pick<WebhookMetrics, 'deliveries'>,
): Promise<HeldSlot> {
  const claim = await claimOrWaitBriefly(endpointId, slots);
  if (claim.inFlight === null) {
    slots.metrics.errors.inc();
    slots.logger.warn(
      { err: 'error' in claim ? claim.error : undefined, endpointId },
      'endpoint slot claim failed; attempting without a slot',
    );
    return claim;
  }
  slots.metrics.inFlight.observe(claim.inFlight);
  if (!claim.admitted) {
    deliveries.inc({ outcome: 'deferred' });
    await job.moveToDelayed(Date.now() + deferDelay(slots.deferMs, job.attemptsStarted), token);
    throw new DelayedError();
  }
  slots.metrics.held.inc();
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      slots.metrics.held.dec();
      await claim.release();
      slots.waiters.wakeOne(endpointId);
    },
  };
}

/**
 * A claim, retried here while the endpoint's attempts in flight are young: a busy but fast
 * endpoint frees a slot within milliseconds, and sending every job over its cap to the
 * delayed set would churn the whole queue through Redis (a burst to one endpoint slowed to a
 * crawl that way). Once its oldest attempt has been out for WEBHOOK_ENDPOINT_DEFER_MS (a slow
 * receiver), or this job has waited that long, the job is deferred instead, so a slow
 * endpoint's jobs never hold worker slots for long.
 */
async function claimOrWaitBriefly(endpointId: string, slots: EndpointSlots): Promise<SlotClaim> {
  const waitUntil = Date.now() + slots.deferMs;
  let claim = await slots.bulkhead.claim(endpointId);
  while (!claim.admitted && Date.now() < waitUntil) {
    const oldestAttemptAgeMs = slots.leaseMs - claim.retryAfterMs;
    if (oldestAttemptAgeMs >= slots.deferMs) break;
    await slots.waiters.wait(endpointId, waitUntil - Date.now());
    claim = await slots.bulkhead.claim(endpointId);
  }
  return claim;
}

/** The longest pause, in multiples of WEBHOOK_ENDPOINT_DEFER_MS (8 s at the default). */
const MAX_DEFER_FACTOR = 32;

/**
 * WEBHOOK_ENDPOINT_DEFER_MS, doubled for each earlier run of the job up to 32 times it, then
 * half to one and a half times that: a slow endpoint with a long queue is asked about a few
 * times a second in all rather than by every waiting job every quarter second, and its
 * deferred jobs do not all come back at the same millisecond. `runs` is BullMQ's count of the
 * job's starts, this one included.
 */
export function deferDelay(deferMs: number, runs: number, random = Math.random): number {
  const factor = Math.min(MAX_DEFER_FACTOR, 2 ** Math.max(0, runs - 1));
  return Math.max(1, Math.round(deferMs * factor * (0.5 + random())));
}

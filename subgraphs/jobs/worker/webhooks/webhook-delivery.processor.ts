import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { anonymousContext, runWithContext } from '../../../../platform/context/request-context';
import { DecryptionError } from '../../../../platform/crypto/key-ring';
import { tenantScope } from '../../../../platform/db/scope';
import type { OutboundPolicy } from '../../../../platform/outbound/policy';
import type { Resolver } from '../../../../platform/outbound/vet-url';
import type { SlidingWindowLimiter } from '../../../../platform/rate-limit/sliding-window';
import type { DeliveryStatus } from '../../entities/webhook-delivery.entity';
import { TenantStatusRepository } from '../../repositories/tenant-status.repository';
import { WebhookDeliveryRepository } from '../../repositories/webhook-delivery.repository';
import { webhookDeliveryJobSchema, type WebhookDeliveryJob } from '../../webhooks/delivery-job';
import { holdRecheckDelay } from '../../webhooks/retry-policy';
import { deliveryBody, liveSecrets } from '../../webhooks/webhook-message';
import {
  loggedResponseBody,
  sendWebhook,
  type WebhookResponse,
} from '../../webhooks/webhook-request';
import { JobFailureCode } from '../job-failure';
import { finishWithoutAttempt, judge, recordAttempt, type Recorded } from './attempt-record';
import { loadDelivery } from './delivery-load';
import type { DeliveryLoader } from './delivery-loader';
import type { SecretCache } from './secret-cache';
import type { SuccessRecorder } from './success-recorder';
import { claimEndpointSlot, type EndpointSlots, type HeldSlot } from './endpoint-admission';
import { describeAttempt, inAttemptSpan } from './webhook-attempt-span';
import type { DeliveryOutcome, WebhookMetrics } from './webhook-metrics';

export interface DeliveryProcessorOptions {
  dataSource: DataSource;
  /** The SSRF policy, with WEBHOOK_TIMEOUT_MS and a 1 MiB answer limit. */
  policy: OutboundPolicy;
  /** Delay before each retry (WEBHOOK_RETRY_SCHEDULE); its length is the number of retries. */
  schedule: readonly number[];
  retryAfterMaxMs: number;
  /** An endpoint failing this long without one success is disabled. */
  disableAfterMs: number;
  /** The shared per-endpoint limiter for a rate (one budget per endpoint across workers). */
  limiter(ratePerSecond: number): SlidingWindowLimiter;
  metrics: WebhookMetrics;
  /** The per-endpoint concurrency cap across workers (WEBHOOK_ENDPOINT_CONCURRENCY). */
  endpointSlots?: EndpointSlots;
  logger: Logger;
  resolve?: Resolver;
  /** Each POST made to one of the tenant's endpoints (its usage, docs/usage.md). */
  onAttempt?: (tenantId: string) => void;
  /** Writes 2xx attempts in batches (group commit); other answers are recorded one by one. */
  successes: SuccessRecorder;
  /** Loads each job's delivery, endpoint and event, batched with the jobs starting with it. */
  loads: DeliveryLoader;
  /** Decrypted signing secrets, keyed by their ciphertexts (a rotation misses the cache). */
  secrets: SecretCache;
}

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  status?: DeliveryStatus;
  reason?: string;
}

/**
 * Runs one delivery job: takes one of the endpoint's slots (or defers the job while the
 * endpoint is at its concurrency cap); loads the delivery, its endpoint and event (or holds it
 * while its tenant is suspended); waits for the endpoint's rate limit; signs and POSTs through
 * the SSRF-safe client; records the attempt, the new status, the endpoint's failure streak, the
 * status event and (after the last attempt) the dead letter in one transaction; then either
 * finishes the job or moves it back to the delayed set for the next retry. Deferrals, holds,
 * throttling and retries never spend the job's BullMQ attempts, which are kept for the
 * worker's own troubles (database or Redis away).
 */
export async function processWebhookDelivery(
  job: Job,
  token: string | undefined,
  options: DeliveryProcessorOptions,
): Promise<DeliveryResult> {
  const parsed = webhookDeliveryJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('malformed webhook delivery job data');
  const data = parsed.data;
  const context = {
    ...anonymousContext(data.requestId ?? `job-${job.id}`),
    tenantId: data.tenantId,
  };
  return runWithContext(context, async () => {
    // Before any database work, so a delivery over its endpoint's cap costs one Redis call.
    const slot = options.endpointSlots
      ? await claimEndpointSlot(job, token, data.endpointId, options.endpointSlots, options.metrics)
      : null;
    return deliver(job, token, data, options, slot).finally(() => slot?.release());
  });
}

async function deliver(
  job: Job,
  token: string | undefined,
  data: WebhookDeliveryJob,
  options: DeliveryProcessorOptions,
  slot: HeldSlot | null,
): Promise<DeliveryResult> {
  const { metrics } = options;
  const inTenant = <T>(fn: (manager: EntityManager) => Promise<T>) =>
    tenantScope(options.dataSource, data.tenantId).run(fn);

  const loaded = await loadDelivery(options.loads, job, data);
  if (loaded.kind === 'skip') {
    metrics.deliveries.inc({ outcome: 'skipped' });
    return { outcome: 'skipped', reason: loaded.reason };
  }
  if (loaded.kind === 'hold') return hold(job, token, data, loaded.heldSince, options);
  if (loaded.kind === 'dead') {
    return inTenant((manager) => finishWithoutAttempt(manager, job, data, loaded.reason, options));
  }
  const { endpoint, event } = loaded;

  if (endpoint.rateLimitPerSecond) {
    const decision = await options.limiter(endpoint.rateLimitPerSecond).consume(endpoint.id);
    if (!decision.allowed) {
      metrics.deliveries.inc({ outcome: 'throttled' });
      // Back to the delayed set until the window has room; a little spread so the throttled
      // jobs of one endpoint do not all wake at the same millisecond.
      await job.moveToDelayed(Date.now() + decision.retryAfterMs + Math.random() * 50, token);
      throw new DelayedError();
    }
  }

  let secrets: string[];
  try {
    secrets = liveSecrets(options.secrets, endpoint);
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
    // The tenant reads the dead letter's reason: the key ring's trouble goes to the log only.
    options.logger.error(
      { err: error, endpointId: endpoint.id, tenantId: data.tenantId },
      "a webhook endpoint's secret cannot be decrypted: check ENCRYPTION_KEYS",
    );
    return inTenant((manager) =>
      finishWithoutAttempt(
        manager,
        job,
        data,
        `${JobFailureCode.INTERNAL_ERROR}: the endpoint's secret cannot be decrypted`,
        options,
      ),
    );
  }
  const recorded = await inAttemptSpan(data, async (span) => {
    const response = await sendWebhook(
      endpoint.url,
      { id: event.id, body: deliveryBody(event), secrets },
      options.policy,
      options.resolve,
    );
    // The receiver is done with this attempt: the endpoint's slot is free before it is recorded.
    void slot?.release();
    metrics.duration.observe(response.durationMs / 1000);
    const verdict = judge(response, options.retryAfterMaxMs);
    const result = verdict.success
      ? await recordSuccess(job, data, response, options)
      : await inTenant((manager) =>
          recordAttempt(manager, job, data, endpoint, response, verdict, options),
        );
    describeAttempt(span, response, result);
    return result;
  });
  metrics.deliveries.inc({ outcome: recorded.outcome });
  options.onAttempt?.(data.tenantId);
  if (recorded.retryAt !== undefined) {
    await job.moveToDelayed(recorded.retryAt, token);
    throw new DelayedError();
  }
  return { outcome: recorded.outcome, status: recorded.status, reason: recorded.reason };
}

/**
 * The tenant is suspended: the delivery waits, neither attempted nor failed, back in the
 * delayed set until its recheck; reinstatement promotes it at once (tenant-suspension.ts).
 * It is marked held under the status row's share lock: a reinstatement recorded before reads
 * as active here (and the job goes on at once), one recorded after finds it held.
 */
async function hold(
  job: Job,
  token: string | undefined,
  data: WebhookDeliveryJob,
  heldSince: Date | null,
  options: DeliveryProcessorOptions,
): Promise<never> {
  await job.moveToDelayed(Date.now() + holdRecheckDelay(heldSince), token);
  const suspended = await tenantScope(options.dataSource, data.tenantId).run(async (manager) => {
    const stillSuspended = await new TenantStatusRepository(manager).isSuspended(
      data.tenantId,
      true,
    );
    if (stillSuspended) await new WebhookDeliveryRepository(manager).hold(data.deliveryId);
    return stillSuspended;
  });
  if (!suspended) await job.promote();
  options.metrics.deliveries.inc({ outcome: 'held' });
  throw new DelayedError();
}

/** A 2xx answer joins the next batch of the success recorder; the job ends once it is committed. */
function recordSuccess(
  job: Job,
  data: WebhookDeliveryJob,
  response: WebhookResponse,
  options: DeliveryProcessorOptions,
): Promise<Recorded> {
  return options.successes.record({
    tenantId: data.tenantId,
    deliveryId: data.deliveryId,
    jobId: job.id,
    statusCode: response.statusCode!,
    durationMs: response.durationMs,
    responseBody: loggedResponseBody(response.body),
  });
}

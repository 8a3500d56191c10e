import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { anonymousContext, runWithContext } from '../../../../platform/context';
import { DecryptionError, type KeyRing } from '../../../../platform/crypto';
import { withTenantTransaction } from '../../../../platform/db';
import { appendEvent, EventType } from '../../../../platform/events';
import type { OutboundPolicy, Resolver } from '../../../../platform/outbound';
import type { SlidingWindowLimiter } from '../../../../platform/rate-limit';
import { recordDeadLetter } from '../../dead-letters/dead-letter-sink';
import type { DeliveryStatus, WebhookDeliveryEntity } from '../../entities/webhook-delivery.entity';
import { EventRepository } from '../../repositories/event.repository';
import { TenantStatusRepository } from '../../repositories/tenant-status.repository';
import { WebhookDeliveryRepository } from '../../repositories/webhook-delivery.repository';
import {
  WebhookEndpointRepository,
  type EndpointWithSecrets,
} from '../../repositories/webhook-endpoint.repository';
import {
  WEBHOOK_DELIVERY_QUEUE,
  webhookDeliveryJobSchema,
  type WebhookDeliveryJob,
} from '../../webhooks/delivery-job';
import { holdRecheckDelay, nextRetryDelay, parseRetryAfter } from '../../webhooks/retry-policy';
import { deliveryBody, liveSecrets, type DeliveredEvent } from '../../webhooks/webhook-message';
import {
  loggedResponseBody,
  sendWebhook,
  type WebhookResponse,
} from '../../webhooks/webhook-request';
import { JobFailureCode } from '../job-failure';
import { claimEndpointSlot, type EndpointSlots, type HeldSlot } from './endpoint-admission';
import { describeAttempt, inAttemptSpan } from './webhook-attempt-span';
import type { DeliveryOutcome, WebhookMetrics } from './webhook-metrics';

export interface DeliveryProcessorOptions {
  dataSource: DataSource;
  keyRing: KeyRing;
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
}

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  status?: DeliveryStatus;
  reason?: string;
}

/** What a delivery needs to be sent, loaded in one short transaction. */
type Loaded =
  | { kind: 'skip'; reason: string }
  | { kind: 'hold'; heldSince: Date | null }
  | { kind: 'dead'; reason: string }
  | { kind: 'send'; endpoint: EndpointWithSecrets; event: DeliveredEvent };

/** How one attempt went, decided from the answer. */
interface Verdict {
  success: boolean;
  /** 410 Gone: the receiver wants no more; the endpoint is disabled. */
  gone: boolean;
  retryAfterMs: number | null;
  /** Shown in the attempt log. */
  error: string | null;
}

const SYSTEM = { kind: 'system', id: null } as const;

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
    withTenantTransaction(options.dataSource, data.tenantId, fn);

  const loaded = await inTenant((manager) => load(manager, job, data));
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
    secrets = liveSecrets(options.keyRing, endpoint);
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
    const result = await inTenant((manager) =>
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
  const suspended = await withTenantTransaction(
    options.dataSource,
    data.tenantId,
    async (manager) => {
      const stillSuspended = await new TenantStatusRepository(manager).isSuspended(
        data.tenantId,
        true,
      );
      if (stillSuspended) await new WebhookDeliveryRepository(manager).hold(data.deliveryId);
      return stillSuspended;
    },
  );
  if (!suspended) await job.promote();
  options.metrics.deliveries.inc({ outcome: 'held' });
  throw new DelayedError();
}

async function load(manager: EntityManager, job: Job, data: WebhookDeliveryJob): Promise<Loaded> {
  const delivery = await new WebhookDeliveryRepository(manager).findById(data.deliveryId);
  if (!delivery) return { kind: 'skip', reason: 'the delivery no longer exists' };
  const skip = standDown(delivery, job);
  if (skip) return { kind: 'skip', reason: skip };
  // A suspended tenant's deliveries wait, whatever their endpoint's state: nothing is lost.
  if (await new TenantStatusRepository(manager).isSuspended(data.tenantId)) {
    return { kind: 'hold', heldSince: delivery.heldSince };
  }
  const endpoint = await new WebhookEndpointRepository(manager).findWithSecrets(
    delivery.endpointId,
  );
  if (!endpoint) return { kind: 'skip', reason: 'the endpoint no longer exists' };
  if (endpoint.status !== 'ACTIVE') {
    return { kind: 'dead', reason: `the endpoint is ${endpoint.status}` };
  }
  if (delivery.syntheticEvent) {
    return {
      kind: 'send',
      endpoint,
      event: {
        id: delivery.eventId,
        tenantId: delivery.tenantId,
        seq: '0',
        ...delivery.syntheticEvent,
      },
    };
  }
  const [event] = await new EventRepository(manager).findByIds([delivery.eventId]);
  if (!event) return { kind: 'dead', reason: 'the event is no longer in the journal' };
  return { kind: 'send', endpoint, event: { ...event, tenantId: delivery.tenantId } };
}

/** Why this job must not touch the delivery, or null when it is the one in charge. */
function standDown(delivery: WebhookDeliveryEntity, job: Job): string | null {
  if (delivery.jobId !== job.id) return 'another job is in charge of the delivery';
  if (delivery.status === 'SUCCEEDED' || delivery.status === 'DEAD') {
    return `the delivery is ${delivery.status} already`;
  }
  return null;
}

function judge(response: WebhookResponse, retryAfterMaxMs: number): Verdict {
  const status = response.statusCode;
  if (status === null) {
    return { success: false, gone: false, retryAfterMs: null, error: response.error };
  }
  return {
    success: status >= 200 && status <= 299,
    gone: status === 410,
    retryAfterMs: parseRetryAfter(response.headers['retry-after'], retryAfterMaxMs),
    error: status >= 300 && status <= 399 ? `HTTP ${status}: redirects are not followed` : null,
  };
}

interface Recorded {
  outcome: DeliveryOutcome;
  /** The attempt's number, once it is in the attempt log. */
  attempt?: number;
  status?: DeliveryStatus;
  reason?: string;
  /** Set when the job goes back to the delayed set until then. */
  retryAt?: number;
}

async function recordAttempt(
  manager: EntityManager,
  job: Job,
  data: WebhookDeliveryJob,
  endpoint: EndpointWithSecrets,
  response: WebhookResponse,
  verdict: Verdict,
  options: DeliveryProcessorOptions,
): Promise<Recorded> {
  const deliveries = new WebhookDeliveryRepository(manager);
  const delivery = await deliveries.lockById(data.deliveryId);
  // Deleted with its endpoint while the request was out: nothing left to record.
  if (!delivery) return { outcome: 'skipped', reason: 'the delivery no longer exists' };
  const now = new Date();
  const attempt = delivery.attemptCount + 1;
  await deliveries.insertAttempt({
    tenantId: delivery.tenantId,
    deliveryId: delivery.id,
    attempt,
    attemptedAt: now,
    statusCode: response.statusCode,
    durationMs: response.durationMs,
    error: verdict.error?.slice(0, 1000) ?? null,
    responseBody: loggedResponseBody(response.body),
  });
  // A manual retry took over while this request was out: the attempt is history, the
  // status belongs to the new job.
  if (standDown(delivery, job)) {
    await deliveries.update(delivery.id, { attemptCount: attempt, lastAttemptAt: now });
    return { outcome: 'skipped', attempt, reason: 'another job took over the delivery' };
  }

  const disabledReason = await updateEndpointHealth(manager, endpoint, verdict, now, options);
  const runAttempts = delivery.runAttempts + 1;
  const base = { attemptCount: attempt, runAttempts, lastAttemptAt: now, heldSince: null };
  const payload = {
    deliveryId: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    attempt,
    statusCode: response.statusCode,
  };

  if (verdict.success) {
    await deliveries.update(delivery.id, {
      ...base,
      status: 'SUCCEEDED',
      nextAttemptAt: null,
      finishedAt: now,
    });
    await appendEvent(manager, {
      type: EventType.WEBHOOK_DELIVERY_SUCCEEDED,
      payload,
      tenantId: delivery.tenantId,
      actor: SYSTEM,
    });
    return { outcome: 'succeeded', attempt, status: 'SUCCEEDED' };
  }

  const delay = disabledReason
    ? null
    : nextRetryDelay(options.schedule, runAttempts, verdict.retryAfterMs);
  if (delay === null) {
    const reason =
      disabledReason ??
      `no 2xx answer after ${runAttempts} attempts (last: ${response.statusCode === null ? verdict.error : `HTTP ${response.statusCode}`})`;
    await deliveries.update(delivery.id, {
      ...base,
      status: 'DEAD',
      nextAttemptAt: null,
      finishedAt: now,
    });
    await markDead(manager, job, data, delivery, reason, payload);
    return { outcome: 'dead', attempt, status: 'DEAD', reason };
  }
  const retryAt = now.getTime() + delay;
  await deliveries.update(delivery.id, {
    ...base,
    status: 'FAILED',
    nextAttemptAt: new Date(retryAt),
  });
  await appendEvent(manager, {
    type: EventType.WEBHOOK_DELIVERY_FAILED,
    payload: { ...payload, nextAttemptAt: new Date(retryAt).toISOString() },
    tenantId: delivery.tenantId,
    actor: SYSTEM,
  });
  return { outcome: 'failed', attempt, status: 'FAILED', retryAt };
}

/**
 * Keeps the endpoint's failure streak: cleared by a success, started by the first failure,
 * and once it has lasted WEBHOOK_DISABLE_AFTER_DAYS (or at a 410 Gone) the endpoint is
 * disabled with an event. Returns why it was disabled, if it was.
 */
async function updateEndpointHealth(
  manager: EntityManager,
  endpoint: EndpointWithSecrets,
  verdict: Verdict,
  now: Date,
  options: DeliveryProcessorOptions,
): Promise<string | null> {
  const endpoints = new WebhookEndpointRepository(manager);
  // The common case takes no row lock, so deliveries to one endpoint do not queue up here.
  if (verdict.success) {
    await endpoints.clearFailingSince(endpoint.id);
    return null;
  }
  const current = await endpoints.findWithSecrets(endpoint.id, true);
  if (!current) return null;
  const failingSince = current.failingSince ?? now;
  let reason: string | null = null;
  if (verdict.gone) reason = 'the endpoint answered 410 Gone';
  else if (now.getTime() - failingSince.getTime() >= options.disableAfterMs) {
    reason = `every attempt failed for ${Math.round(options.disableAfterMs / 86_400_000)} days`;
  }
  if (!reason || current.status !== 'ACTIVE') {
    if (!current.failingSince) await endpoints.update(current.id, { failingSince });
    return reason && current.status !== 'ACTIVE' ? reason : null;
  }
  await endpoints.update(current.id, {
    status: 'DISABLED',
    disabledReason: reason,
    failingSince,
  });
  await appendEvent(manager, {
    type: EventType.WEBHOOK_ENDPOINT_DISABLED,
    payload: { endpointId: current.id, reason },
    tenantId: current.tenantId,
    actor: SYSTEM,
  });
  options.logger.warn(
    { endpointId: current.id, tenantId: current.tenantId, reason },
    'webhook endpoint disabled',
  );
  return reason;
}

/** Ends a delivery that cannot be sent (endpoint not active, event purged) as DEAD. */
async function finishWithoutAttempt(
  manager: EntityManager,
  job: Job,
  data: WebhookDeliveryJob,
  reason: string,
  options: DeliveryProcessorOptions,
): Promise<DeliveryResult> {
  const deliveries = new WebhookDeliveryRepository(manager);
  const delivery = await deliveries.lockById(data.deliveryId);
  if (!delivery || standDown(delivery, job)) {
    options.metrics.deliveries.inc({ outcome: 'skipped' });
    return { outcome: 'skipped' };
  }
  const now = new Date();
  await deliveries.update(delivery.id, {
    status: 'DEAD',
    nextAttemptAt: null,
    finishedAt: now,
    heldSince: null,
  });
  await markDead(manager, job, data, delivery, reason, {
    deliveryId: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    attempt: delivery.attemptCount,
    statusCode: null,
  });
  options.metrics.deliveries.inc({ outcome: 'dead' });
  return { outcome: 'dead', status: 'DEAD', reason };
}

/** The dead letter and the `delivery.dead` event, in the transaction that marks it DEAD. */
async function markDead(
  manager: EntityManager,
  job: Job,
  data: WebhookDeliveryJob,
  delivery: WebhookDeliveryEntity,
  reason: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await recordDeadLetter(manager, {
    queue: WEBHOOK_DELIVERY_QUEUE,
    jobId: job.id ?? delivery.jobId,
    jobName: job.name,
    tenantId: delivery.tenantId,
    reason,
    data: { ...data },
  });
  await appendEvent(manager, {
    type: EventType.WEBHOOK_DELIVERY_DEAD,
    payload: { ...payload, reason },
    tenantId: delivery.tenantId,
    actor: SYSTEM,
  });
}

import type { Job } from 'bullmq';
import type { EntityManager } from 'typeorm';
import { appendEvent } from '../../../../platform/events/append-event';
import { EventType } from '../../../../platform/events/event-types';
import { recordDeadLetter } from '../../dead-letters/dead-letter-sink';
import type { DeliveryStatus, WebhookDeliveryEntity } from '../../entities/webhook-delivery.entity';
import { WebhookDeliveryRepository } from '../../repositories/webhook-delivery.repository';
import { WebhookEndpointRepository } from '../../repositories/webhook-endpoint.repository';
import { WEBHOOK_DELIVERY_QUEUE, type WebhookDeliveryJob } from '../../webhooks/delivery-job';
import { nextRetryDelay, parseRetryAfter } from '../../webhooks/retry-policy';
import { loggedResponseBody, type WebhookResponse } from '../../webhooks/webhook-request';
import { standDown } from './stand-down';
import type { DeliveryProcessorOptions, DeliveryResult } from './webhook-delivery.processor';
import type { DeliveryOutcome } from './webhook-metrics';

/** How one attempt went, decided from the answer. */
export interface Verdict {
  success: boolean;
  /** 410 Gone: the receiver wants no more; the endpoint is disabled. */
  gone: boolean;
  retryAfterMs: number | null;
  /** Shown in the attempt log. */
  error: string | null;
}

const SYSTEM = { kind: 'system', id: null } as const;

/** Success, 410 Gone, Retry-After and the attempt log's error text, from the answer. */
export function judge(response: WebhookResponse, retryAfterMaxMs: number): Verdict {
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

export interface Recorded {
  outcome: DeliveryOutcome;
  /** The attempt's number, once it is in the attempt log. */
  attempt?: number;
  status?: DeliveryStatus;
  reason?: string;
  /** Set when the job goes back to the delayed set until then. */
  retryAt?: number;
}

export async function recordAttempt(
  manager: EntityManager,
  job: Job,
  data: WebhookDeliveryJob,
  endpoint: { id: string },
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
  await logAttempt(deliveries, delivery, attempt, now, response, verdict);
  // A manual retry took over while this request was out: the attempt is history, the
  // status belongs to the new job.
  if (standDown(delivery, job.id)) {
    await deliveries.update(delivery.id, { attemptCount: attempt, lastAttemptAt: now });
    return { outcome: 'skipped', attempt, reason: 'another job took over the delivery' };
  }

  const disabledReason = await updateEndpointHealth(manager, endpoint, verdict, now, options);
  const runAttempts = delivery.runAttempts + 1;
  const base = { attemptCount: attempt, runAttempts, lastAttemptAt: now, heldSince: null };
  const payload = statusEventPayload(delivery, attempt, response);

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

/** The attempt in the delivery's log, with the start of what the receiver answered. */
function logAttempt(
  deliveries: WebhookDeliveryRepository,
  delivery: WebhookDeliveryEntity,
  attempt: number,
  now: Date,
  response: WebhookResponse,
  verdict: Verdict,
): Promise<void> {
  return deliveries.insertAttempt({
    tenantId: delivery.tenantId,
    deliveryId: delivery.id,
    attempt,
    attemptedAt: now,
    statusCode: response.statusCode,
    durationMs: response.durationMs,
    error: verdict.error?.slice(0, 1000) ?? null,
    responseBody: loggedResponseBody(response.body),
  });
}

/** What the delivery's status events say about the attempt. */
function statusEventPayload(
  delivery: WebhookDeliveryEntity,
  attempt: number,
  response: WebhookResponse,
) {
  return {
    deliveryId: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    attempt,
    statusCode: response.statusCode,
  };
}

/**
 * Keeps the endpoint's failure streak: cleared by a success, started by the first failure,
 * and once it has lasted WEBHOOK_DISABLE_AFTER_DAYS (or at a 410 Gone) the endpoint is
 * disabled with an event. Returns why it was disabled, if it was.
 */
async function updateEndpointHealth(
  manager: EntityManager,
  endpoint: { id: string },
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
export async function finishWithoutAttempt(
  manager: EntityManager,
  job: Job,
  data: WebhookDeliveryJob,
  reason: string,
  options: DeliveryProcessorOptions,
): Promise<DeliveryResult> {
  const deliveries = new WebhookDeliveryRepository(manager);
  const delivery = await deliveries.lockById(data.deliveryId);
  if (!delivery || standDown(delivery, job.id)) {
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

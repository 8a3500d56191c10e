import type { JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';
import { currentContext } from '../../../platform/context/request-context';
import { traceCarrier } from '../../../platform/observability/tracing';
import { JobName, QueueName } from '../../../platform/contracts/jobs/queue-names';

export const WEBHOOK_DELIVERY_QUEUE = QueueName.WEBHOOK_DELIVERY;

/**
 * A delivery job holds ids only: the worker loads the endpoint (and decrypts its secret) and
 * the event when it runs, so no secret and no payload sits in Redis. The correlation rides
 * along at the top level like every job's (`requestId`, `tenantId`, `actor`), for logs, the
 * jobs admin, dead letters and the events the worker appends; a delivery's tenant is always set.
 * With tracing on, `traceparent` (and `tracestate`) carry the trace of the request behind the
 * delivery, which the worker's delivery spans continue.
 */
export const webhookDeliveryJobSchema = z.object({
  deliveryId: z.uuid(),
  endpointId: z.uuid(),
  eventId: z.uuid(),
  tenantId: z.uuid(),
  requestId: z.string().min(1).max(128).nullable(),
  actor: z
    .object({ kind: z.enum(['user', 'apiKey', 'system']), id: z.uuid().nullable() })
    .nullable(),
  traceparent: z.string().max(128).optional(),
  tracestate: z.string().max(512).optional(),
});
export type WebhookDeliveryJob = z.infer<typeof webhookDeliveryJobSchema>;

/**
 * Job data for one delivery. Request, actor and trace default to the current request's (the
 * API's test sends, retries and replays, an alert's dispatch); the relay passes the event's
 * own, the trace being the one of the request that appended the event.
 */
export function deliveryJobData(
  ids: { deliveryId: string; endpointId: string; eventId: string },
  correlation: {
    tenantId: string;
    requestId?: string | null;
    actor?: WebhookDeliveryJob['actor'];
    traceparent?: string | null;
  },
): WebhookDeliveryJob {
  const context = currentContext();
  const trace =
    correlation.traceparent === undefined
      ? traceCarrier()
      : correlation.traceparent
        ? { traceparent: correlation.traceparent }
        : {};
  return webhookDeliveryJobSchema.parse({
    ...ids,
    ...trace,
    tenantId: correlation.tenantId.toLowerCase(),
    requestId:
      correlation.requestId === undefined
        ? (context?.requestId ?? null)
        : correlation.requestId || null,
    actor:
      correlation.actor === undefined
        ? context?.principal
          ? { kind: context.principal.kind, id: context.principal.id }
          : { kind: 'system', id: null }
        : correlation.actor,
  });
}

/**
 * Retries here are for the worker's own troubles (database or Redis away), not for the
 * receiver's answers: those are scheduled by the processor and never spend these attempts.
 */
export const WEBHOOK_DELIVERY_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/**
 * The job of an event's first delivery to an endpoint: one id per (endpoint, event), so the
 * relay handing the same batch over twice enqueues it once. BullMQ refuses `:` in custom ids
 * (it keeps them for its own keys), hence the dashes.
 */
export function firstDeliveryJobId(endpointId: string, eventId: string): string {
  return `${endpointId}-${eventId}`;
}

/** A replay, test or manual retry: its own id, so it runs even after the first one finished. */
export function restartJobId(deliveryId: string, nonce: string): string {
  return `${deliveryId}-${nonce}`;
}

export interface QueuedDelivery {
  jobId: string;
  data: WebhookDeliveryJob;
}

/** Adds delivery jobs in bulk; ids already in the queue are left as they are. */
export async function enqueueDeliveries(
  queue: Queue,
  deliveries: readonly QueuedDelivery[],
): Promise<void> {
  for (let start = 0; start < deliveries.length; start += 500) {
    await queue.addBulk(
      deliveries.slice(start, start + 500).map(({ jobId, data }) => ({
        name: JobName.DELIVER_WEBHOOK,
        data,
        opts: { ...WEBHOOK_DELIVERY_JOB_OPTIONS, jobId },
      })),
    );
  }
}

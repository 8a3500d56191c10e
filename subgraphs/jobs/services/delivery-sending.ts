import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../../platform/context/request-context';
import type { TenantScope } from '../../../platform/db/scope';
import {
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '../../../platform/errors/domain-errors';
import type { WebhookEndpointEntity } from '../entities/webhook-endpoint.entity';
import type { InsertedDelivery, NewDelivery } from '../repositories/webhook-delivery.repository';
import { WebhookEndpointRepository } from '../repositories/webhook-endpoint.repository';
import { deliveryJobData, enqueueDeliveries, type QueuedDelivery } from '../webhooks/delivery-job';

/*
 * What the delivery mutations (test, retry, replay) share: the endpoint they send to, the rows
 * they insert, and enqueueing them without leaving anything half done.
 */

export type DeliveryFields = Pick<NewDelivery, 'eventId' | 'eventType' | 'origin' | 'jobId'> &
  Partial<Pick<NewDelivery, 'replayId' | 'syntheticEvent'>>;

export type EnqueuedRow = Pick<InsertedDelivery, 'id' | 'endpointId' | 'eventId' | 'jobId'>;

/** A new delivery row to `endpoint`, on behalf of the request that asked for it. */
export function newDelivery(
  request: RequestContext,
  endpoint: WebhookEndpointEntity,
  fields: DeliveryFields,
): NewDelivery {
  return {
    tenantId: endpoint.tenantId,
    endpointId: endpoint.id,
    replayId: null,
    syntheticEvent: null,
    requestId: request.requestId,
    ...fields,
  };
}

/**
 * Enqueues committed deliveries. If Redis refuses, the request fails with
 * SERVICE_UNAVAILABLE and leaves nothing half done: new deliveries are deleted, a restarted
 * one is marked DEAD again.
 */
export async function enqueueOrUndo(
  queue: Queue,
  scope: TenantScope,
  rows: readonly EnqueuedRow[],
  undo: 'delete' | 'kill',
): Promise<void> {
  const tenantId = scope.tenantId;
  const queued: QueuedDelivery[] = rows.map((row) => ({
    jobId: row.jobId,
    data: deliveryJobData(
      { deliveryId: row.id, endpointId: row.endpointId, eventId: row.eventId },
      { tenantId },
    ),
  }));
  try {
    await enqueueDeliveries(queue, queued);
  } catch (error) {
    const ids = rows.map((row) => row.id);
    await scope
      .run((manager) =>
        undo === 'delete'
          ? manager.query(`DELETE FROM jobs.webhook_deliveries WHERE id = ANY($1::uuid[])`, [ids])
          : manager.query(
              `UPDATE jobs.webhook_deliveries SET status = 'DEAD', finished_at = now(), updated_at = now()
                  WHERE id = ANY($1::uuid[])`,
              [ids],
            ),
      )
      .catch(() => undefined);
    throw Object.assign(
      new ServiceUnavailableError('The delivery queue is unavailable; try again shortly'),
      { cause: error },
    );
  }
}

/** The endpoint, which must be ACTIVE for anything to be sent to it. */
export async function activeEndpoint(
  manager: EntityManager,
  id: string,
): Promise<WebhookEndpointEntity> {
  const endpoint = await new WebhookEndpointRepository(manager).findById(id);
  if (!endpoint) throw new NotFoundError('Webhook endpoint');
  if (endpoint.status !== 'ACTIVE') {
    throw new ValidationError(
      endpoint.status === 'PENDING_VERIFICATION'
        ? 'the endpoint is not verified yet: run verifyWebhookEndpoint first'
        : `the endpoint is ${endpoint.status}: set it ACTIVE first`,
      { field: 'status', status: endpoint.status },
    );
  }
  return endpoint;
}

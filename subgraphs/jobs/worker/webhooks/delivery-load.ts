import type { Job } from 'bullmq';
import type { EntityManager } from 'typeorm';
import { EventRepository } from '../../repositories/event.repository';
import { TenantStatusRepository } from '../../repositories/tenant-status.repository';
import { WebhookDeliveryRepository } from '../../repositories/webhook-delivery.repository';
import {
  WebhookEndpointRepository,
  type EndpointWithSecrets,
} from '../../repositories/webhook-endpoint.repository';
import type { WebhookDeliveryJob } from '../../webhooks/delivery-job';
import type { DeliveredEvent } from '../../webhooks/webhook-message';
import { standDown } from './stand-down';

/** What a delivery needs to be sent, loaded in one short transaction. */
export type Loaded =
  | { kind: 'skip'; reason: string }
  | { kind: 'hold'; heldSince: Date | null }
  | { kind: 'dead'; reason: string }
  | { kind: 'send'; endpoint: EndpointWithSecrets; event: DeliveredEvent };

/**
 * What the job finds: nothing to do (skip), a suspended tenant (hold), a delivery that cannot
 * be sent (dead), or the endpoint and event to send.
 */
export async function loadDelivery(
  manager: EntityManager,
  job: Job,
  data: WebhookDeliveryJob,
): Promise<Loaded> {
  const delivery = await new WebhookDeliveryRepository(manager).findById(data.deliveryId);
  if (!delivery) return { kind: 'skip', reason: 'the delivery no longer exists' };
  const skip = standDown(delivery, job.id);
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

import type { Job } from 'bullmq';
import type { DeliveryEndpoint } from '../../repositories/delivery-load.repository';
import type { WebhookDeliveryJob } from '../../webhooks/delivery-job';
import type { DeliveredEvent } from '../../webhooks/webhook-message';
import type { DeliveryLoader } from './delivery-loader';
import { standDown } from './stand-down';

/** What a delivery needs to be sent, loaded with the other jobs that start with it. */
export type Loaded =
  | { kind: 'skip'; reason: string }
  | { kind: 'hold'; heldSince: Date | null }
  | { kind: 'dead'; reason: string }
  | { kind: 'send'; endpoint: DeliveryEndpoint; event: DeliveredEvent };

/**
 * What the job finds: nothing to do (skip), a suspended tenant (hold), a delivery that cannot
 * be sent (dead), or the endpoint and event to send.
 */
export async function loadDelivery(
  loader: DeliveryLoader,
  job: Job,
  data: WebhookDeliveryJob,
): Promise<Loaded> {
  const { tenantSuspended, delivery } = await loader.load(data.tenantId, data.deliveryId);
  if (!delivery) return { kind: 'skip', reason: 'the delivery no longer exists' };
  const skip = standDown(delivery, job.id);
  if (skip) return { kind: 'skip', reason: skip };
  // A suspended tenant's deliveries wait, whatever their endpoint's state: nothing is lost.
  if (tenantSuspended) return { kind: 'hold', heldSince: delivery.heldSince };
  const { endpoint } = delivery;
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
  const { event } = delivery;
  if (!event) return { kind: 'dead', reason: 'the event is no longer in the journal' };
  return { kind: 'send', endpoint, event: { ...event, tenantId: delivery.tenantId } };
}

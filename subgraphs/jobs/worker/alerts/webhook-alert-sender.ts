import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AlertDispatchJob } from '../../../../platform/contracts/observability/alert-dispatch-job';
import { tenantScope } from '../../../../platform/db/scope';
import { EventType } from '../../../../platform/events/event-types';
import { WebhookDeliveryRepository } from '../../repositories/webhook-delivery.repository';
import { WebhookEndpointRepository } from '../../repositories/webhook-endpoint.repository';
import {
  deliveryJobData,
  enqueueDeliveries,
  firstDeliveryJobId,
} from '../../webhooks/delivery-job';
import type { AlertWebhookSender } from './alert-dispatch.processor';
import { PermanentDispatchError } from './alert-dispatch.processor';

/**
 * Webhook alerts go through the webhook machinery: the alert's journal event
 * (`observability.alert.fired` / `.resolved`) becomes a delivery to the rule's endpoint, signed
 * with the endpoint's Standard Webhooks secret, retried on the webhook schedule, logged as
 * attempts, and a dead letter after the last one, exactly like any other delivery. The
 * delivery's job id is `<endpoint>-<event>`, the one the relay's fan-out uses, so an endpoint
 * that also subscribes to alert events gets the alert once.
 */
export function webhookAlertSender(deps: {
  dataSource: DataSource;
  /** The `webhook-delivery` queue. */
  queue: Queue;
}): AlertWebhookSender {
  return {
    async send(notification: AlertDispatchJob, endpointId: string) {
      const { tenantId } = notification;
      // Refused when the rule is written; a platform alert has no endpoints to go to.
      if (tenantId === null) {
        throw new PermanentDispatchError('a platform alert cannot go to a webhook endpoint');
      }
      const waiting = await tenantScope(deps.dataSource, tenantId).run(async (manager) => {
        const endpoint = await new WebhookEndpointRepository(manager).findById(endpointId);
        if (!endpoint) {
          throw new PermanentDispatchError(`webhook endpoint ${endpointId} does not exist`);
        }
        if (endpoint.status !== 'ACTIVE') {
          throw new PermanentDispatchError(
            `webhook endpoint ${endpointId} is ${endpoint.status}, not ACTIVE`,
          );
        }
        const [delivery] = await new WebhookDeliveryRepository(manager).insertMany([
          {
            tenantId,
            endpointId,
            eventId: notification.eventId,
            eventType:
              notification.transition === 'fired'
                ? EventType.ALERT_FIRED
                : EventType.ALERT_RESOLVED,
            origin: 'event',
            replayId: null,
            syntheticEvent: null,
            jobId: firstDeliveryJobId(endpointId, notification.eventId),
            requestId: notification.requestId,
          },
        ]);
        // Found again (a retried dispatch, or the fan-out was first): already on its way.
        return delivery && delivery.status === 'PENDING' && delivery.attemptCount === 0
          ? delivery
          : null;
      });
      if (!waiting) return;
      await enqueueDeliveries(deps.queue, [
        {
          jobId: waiting.jobId,
          data: deliveryJobData(
            { deliveryId: waiting.id, endpointId, eventId: notification.eventId },
            { tenantId, requestId: notification.requestId, actor: { kind: 'system', id: null } },
          ),
        },
      ]);
    },
  };
}

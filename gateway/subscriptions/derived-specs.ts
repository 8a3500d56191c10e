import { EventType } from '../../platform/events/event-types';
import { type PublishedEvent } from '../../platform/events/channel';
import type { DerivedSubscriptionSpec } from './derived-subscription';

const ALERT_EVENTS: ReadonlySet<string> = new Set([
  EventType.ALERT_FIRED,
  EventType.ALERT_RESOLVED,
  EventType.ALERT_ACKNOWLEDGED,
]);

function alertIdOf(event: PublishedEvent): string | null {
  const { alertId } = event.payload as { alertId?: string };
  return typeof alertId === 'string' ? alertId : null;
}

/** Subscriptions to objects that events announce (see derived-subscription.ts). */
export const DERIVED: Record<string, DerivedSubscriptionSpec> = {
  webhookDeliveryUpdated: {
    types: new Set([
      EventType.WEBHOOK_DELIVERY_SUCCEEDED,
      EventType.WEBHOOK_DELIVERY_FAILED,
      EventType.WEBHOOK_DELIVERY_DEAD,
      EventType.WEBHOOK_DELIVERY_RETRY_REQUESTED,
    ]),
    queryField: 'webhookDelivery',
    idOf: (event, args) => {
      const { deliveryId, endpointId } = event.payload as {
        deliveryId?: string;
        endpointId?: string;
      };
      if (typeof deliveryId !== 'string') return null;
      return args.endpointId && args.endpointId !== endpointId ? null : deliveryId;
    },
  },
  alerts: {
    types: ALERT_EVENTS,
    queryField: 'alert',
    idOf: alertIdOf,
  },
  // The platform's alerts are platform events (no tenant): the platform's channel.
  platformAlerts: {
    types: ALERT_EVENTS,
    queryField: 'platformAlert',
    idOf: alertIdOf,
    platform: true,
  },
};

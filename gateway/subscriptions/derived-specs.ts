import { EventType } from '../../platform/events';
import type { DerivedSubscriptionSpec } from './derived-subscription';

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
    types: new Set([EventType.ALERT_FIRED, EventType.ALERT_RESOLVED, EventType.ALERT_ACKNOWLEDGED]),
    queryField: 'alert',
    idOf: (event) => {
      const { alertId } = event.payload as { alertId?: string };
      return typeof alertId === 'string' ? alertId : null;
    },
  },
};

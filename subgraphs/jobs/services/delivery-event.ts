import type { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import type { EventRecord } from '../repositories/event.repository';

/** The made-up event a test delivery sent, as `WebhookDelivery.event` shows it. */
export function testEvent(
  delivery: WebhookDeliveryEntity,
  synthetic: NonNullable<WebhookDeliveryEntity['syntheticEvent']>,
): EventRecord {
  return {
    id: delivery.eventId,
    tenantId: delivery.tenantId,
    seq: '0',
    type: synthetic.type,
    payload: synthetic.payload,
    actorKind: null,
    actorId: null,
    requestId: delivery.requestId,
    ip: null,
    userAgent: null,
    occurredAt: new Date(synthetic.occurredAt),
  };
}

/** What a delivery knew of its event, once the journal's retention has removed it. */
export function expiredEvent(delivery: WebhookDeliveryEntity): EventRecord {
  return {
    id: delivery.eventId,
    tenantId: delivery.tenantId,
    seq: '0',
    type: delivery.eventType,
    payload: {},
    actorKind: null,
    actorId: null,
    requestId: null,
    ip: null,
    userAgent: null,
    occurredAt: delivery.createdAt,
  };
}

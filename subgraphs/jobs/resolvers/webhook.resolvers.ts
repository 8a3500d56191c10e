import type { DeliveryOrigin as DeliveryOriginValue } from '../entities/webhook-delivery.entity';
import type {
  DeliveryAttemptResolvers,
  DeliveryOrigin,
  MutationResolvers,
  QueryResolvers,
  WebhookDeliveryResolvers,
  WebhookEndpointResolvers,
} from '../generated/resolvers-types';

const ORIGINS: Record<DeliveryOriginValue, DeliveryOrigin> = {
  event: 'EVENT',
  replay: 'REPLAY',
  test: 'TEST',
};

export const webhookQueries: Pick<
  QueryResolvers,
  'webhookEndpoints' | 'webhookEndpoint' | 'webhookDelivery'
> = {
  webhookEndpoints: (_parent, _args, { webhookEndpoints }) => webhookEndpoints.list(),
  webhookEndpoint: (_parent, { id }, { webhookEndpoints }) => webhookEndpoints.byId(id),
  webhookDelivery: (_parent, { id }, { webhookDeliveries }) => webhookDeliveries.byId(id),
};

export const webhookMutations: Pick<
  MutationResolvers,
  | 'createWebhookEndpoint'
  | 'updateWebhookEndpoint'
  | 'deleteWebhookEndpoint'
  | 'verifyWebhookEndpoint'
  | 'rotateWebhookSecret'
  | 'sendTestWebhook'
  | 'retryWebhookDelivery'
  | 'replayEvents'
> = {
  createWebhookEndpoint: (_parent, { input }, { webhookEndpoints }) =>
    webhookEndpoints.create(input),
  updateWebhookEndpoint: (_parent, { id, patch }, { webhookEndpoints }) =>
    webhookEndpoints.update(id, patch),
  deleteWebhookEndpoint: (_parent, { id }, { webhookEndpoints }) => webhookEndpoints.delete(id),
  verifyWebhookEndpoint: (_parent, { id }, { webhookEndpoints }) => webhookEndpoints.verify(id),
  rotateWebhookSecret: (_parent, { id, gracePeriodSeconds }, { webhookEndpoints }) =>
    webhookEndpoints.rotateSecret(id, gracePeriodSeconds),
  sendTestWebhook: (_parent, { id, eventType }, { webhookDeliveries }) =>
    webhookDeliveries.sendTest(id, eventType),
  retryWebhookDelivery: (_parent, { id }, { webhookDeliveries }) => webhookDeliveries.retry(id),
  replayEvents: (_parent, args, { webhookDeliveries }) => webhookDeliveries.replay(args),
};

export const webhookEndpointResolvers: WebhookEndpointResolvers = {
  __resolveReference: (reference, { webhookEndpoints }) =>
    webhookEndpoints.byReference(reference.id),
  deliveries: (endpoint, args, { webhookDeliveries }) =>
    webhookDeliveries.listForEndpoint(endpoint, args),
};

export const webhookDeliveryResolvers: WebhookDeliveryResolvers = {
  endpoint: (delivery, _args, { webhookDeliveries }) => webhookDeliveries.endpoint(delivery),
  event: (delivery, _args, { webhookDeliveries }) => webhookDeliveries.event(delivery),
  attempts: (delivery, _args, { webhookDeliveries }) => webhookDeliveries.attempts(delivery),
  origin: (delivery) => ORIGINS[delivery.origin],
  // Only a retry waiting in the queue has a time; a finished delivery has none.
  nextAttemptAt: (delivery) =>
    delivery.status === 'SUCCEEDED' || delivery.status === 'DEAD' ? null : delivery.nextAttemptAt,
};

export const deliveryAttemptResolvers: DeliveryAttemptResolvers = {
  at: (attempt) => attempt.attemptedAt,
};

import { CursorScalar, DateTimeScalar, JSONScalar } from '../../../platform/graphql';
import type { Resolvers } from '../generated/resolvers-types';
import { eventQueries, eventResolvers } from './event.resolvers';
import { secretsMutations } from './secrets.resolvers';
import {
  deliveryAttemptResolvers,
  webhookDeliveryResolvers,
  webhookEndpointResolvers,
  webhookMutations,
  webhookQueries,
} from './webhook.resolvers';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Cursor: CursorScalar,
  Query: {
    ...eventQueries,
    ...webhookQueries,
  },
  Mutation: {
    ...webhookMutations,
    ...secretsMutations,
  },
  Event: eventResolvers,
  WebhookEndpoint: webhookEndpointResolvers,
  WebhookDelivery: webhookDeliveryResolvers,
  DeliveryAttempt: deliveryAttemptResolvers,
};

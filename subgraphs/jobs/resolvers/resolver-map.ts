import { CursorScalar, DateTimeScalar, JSONScalar } from '../../../platform/graphql/scalars';
import type { Resolvers } from '../generated/resolvers-types';
import { eventQueries, eventResolvers } from './event.resolvers';
import { secretsMutations } from './secrets.resolvers';
import {
  deadLetterResolvers,
  jobAdminMutations,
  jobAdminQueries,
  purgeRunResolvers,
} from './job-admin.resolvers';
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
    ...jobAdminQueries,
  },
  Mutation: {
    ...webhookMutations,
    ...jobAdminMutations,
    ...secretsMutations,
  },
  Event: eventResolvers,
  WebhookEndpoint: webhookEndpointResolvers,
  WebhookDelivery: webhookDeliveryResolvers,
  DeliveryAttempt: deliveryAttemptResolvers,
  DeadLetter: deadLetterResolvers,
  PurgeRun: purgeRunResolvers,
};

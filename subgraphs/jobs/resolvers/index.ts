import { DateTimeScalar } from '../../../platform/graphql';
import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    webhookEndpoints: (_parent, _args, { webhookEndpoints }) => webhookEndpoints.list(),
    webhookEndpoint: (_parent, { id }, { webhookEndpoints }) => webhookEndpoints.byId(id),
  },
  WebhookEndpoint: {
    __resolveReference: (reference, { webhookEndpoints }) =>
      webhookEndpoints.byReference(reference.id),
  },
};

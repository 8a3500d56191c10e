import { CursorScalar, DateTimeScalar, JSONScalar } from '../../../platform/graphql';
import type { Resolvers } from '../generated/resolvers-types';
import { eventQueries, eventResolvers } from './event.resolvers';
import { secretsMutations } from './secrets.resolvers';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Cursor: CursorScalar,
  Query: {
    ...eventQueries,
    webhookEndpoints: (_parent, _args, { webhookEndpoints }) => webhookEndpoints.list(),
    webhookEndpoint: (_parent, { id }, { webhookEndpoints }) => webhookEndpoints.byId(id),
  },
  Mutation: {
    ...secretsMutations,
  },
  Event: eventResolvers,
  WebhookEndpoint: {
    __resolveReference: (reference, { webhookEndpoints }) =>
      webhookEndpoints.byReference(reference.id),
  },
};

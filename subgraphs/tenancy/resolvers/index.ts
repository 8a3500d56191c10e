import { DateTimeScalar } from '../../../platform/graphql';
import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    tenant: (_parent, _args, { tenants }) => tenants.current(),
  },
  Tenant: {
    __resolveReference: (reference, { tenants }) => tenants.byReference(reference.id),
  },
};

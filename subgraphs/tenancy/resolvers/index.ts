import { DateTimeScalar } from '../../../platform/graphql';
import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    tenant: (_parent, _args, { tenants }) => tenants.current(),
    myTenants: (_parent, _args, { memberships }) => memberships.myTenants(),
  },
  Mutation: {
    createTenant: (_parent, { name, slug }, { tenants }) => tenants.create({ name, slug }),
  },
  Tenant: {
    __resolveReference: (reference, { tenants }) => tenants.byReference(reference.id),
  },
};

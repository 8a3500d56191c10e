import { DateTimeScalar } from '../../../platform/graphql';
import type { Resolvers } from '../generated/resolvers-types';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    tenant: (_parent, _args, { tenants }) => tenants.current(),
    myTenants: (_parent, _args, { memberships }) => memberships.myTenants(),
    oauthProviders: (_parent, _args, { oauthProviders }) => oauthProviders.list(),
  },
  Mutation: {
    createTenant: (_parent, { name, slug }, { tenants }) => tenants.create({ name, slug }),
    configureOAuthProvider: (_parent, { input }, { oauthProviders }) =>
      oauthProviders.configure(input),
    removeOAuthProvider: (_parent, { provider }, { oauthProviders }) =>
      oauthProviders.remove(provider),
  },
  Tenant: {
    __resolveReference: (reference, { tenants }) => tenants.byReference(reference.id),
  },
};

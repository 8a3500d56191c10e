import { CursorScalar, DateTimeScalar } from '../../../platform/graphql/scalars';
import type { Resolvers } from '../generated/resolvers-types';
import {
  tenantLifecycleMutations,
  tenantLifecycleQueries,
  tenantSettingsField,
} from './tenant-lifecycle.resolvers';
import {
  invitationResolvers,
  membershipMutations,
  membershipQueries,
  membershipResolvers,
  tenantMembers,
} from './membership.resolvers';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Cursor: CursorScalar,
  Query: {
    tenant: (_parent, _args, { tenants }) => tenants.current(),
    myTenants: (_parent, _args, { memberships }) => memberships.myTenants(),
    oauthProviders: (_parent, _args, { oauthProviders }) => oauthProviders.list(),
    ...tenantLifecycleQueries,
    ...membershipQueries,
  },
  Mutation: {
    createTenant: (_parent, { name, slug }, { tenants }) => tenants.create({ name, slug }),
    configureOAuthProvider: (_parent, { input }, { oauthProviders }) =>
      oauthProviders.configure(input),
    removeOAuthProvider: (_parent, { provider }, { oauthProviders }) =>
      oauthProviders.remove(provider),
    ...tenantLifecycleMutations,
    ...membershipMutations,
  },
  Tenant: {
    __resolveReference: (reference, { tenants }) => tenants.byReference(reference.id),
    ...tenantSettingsField,
    ...tenantMembers,
  },
  Membership: membershipResolvers,
  Invitation: invitationResolvers,
};

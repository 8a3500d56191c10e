import { NotFoundError } from '../../../platform/errors/domain-errors';
import type {
  InvitationResolvers,
  MembershipResolvers,
  MutationResolvers,
  QueryResolvers,
  TenantResolvers,
} from '../generated/resolvers-types';

// Members and invitations; merged into the subgraph's resolver map in ./resolver-map.ts.

export const membershipQueries: QueryResolvers = {
  invitations: (_parent, _args, { invitations }) => invitations.list(),
};

export const membershipMutations: MutationResolvers = {
  inviteMember: (_parent, { email, role }, { invitations }) => invitations.invite(email, role),
  acceptInvitation: (_parent, { token }, { invitations }) => invitations.accept(token),
  revokeInvitation: (_parent, { id }, { invitations }) => invitations.revoke(id),
  updateMemberRole: (_parent, { userId, role }, { members }) => members.updateRole(userId, role),
  removeMember: (_parent, { userId }, { members }) => members.remove(userId),
  leaveTenant: (_parent, _args, { members }) => members.leave(),
};

export const tenantMembers: Pick<TenantResolvers, 'members'> = {
  members: (tenant, { first, after }, { members }) => members.list(tenant, { first, after }),
};

export const membershipResolvers: MembershipResolvers = {
  tenant: async (membership, _args, { loaders }) => {
    const tenant = membership.tenant ?? (await loaders.tenantById.load(membership.tenantId));
    if (!tenant) throw new NotFoundError('Tenant');
    return tenant;
  },
};

export const invitationResolvers: InvitationResolvers = {
  invitedBy: (invitation) => (invitation.invitedBy ? { id: invitation.invitedBy } : null),
};

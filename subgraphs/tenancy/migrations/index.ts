import { CreateTenants1764028801000 } from './1764028801000-create-tenants';
import { CreateMemberships1764028820000 } from './1764028820000-create-memberships';
import { CreateOAuthProviders1764028821000 } from './1764028821000-create-oauth-providers';
import { CreateInvitations1764028840000 } from './1764028840000-create-invitations';
import { IndexMembershipsByTenant1764028841000 } from './1764028841000-index-memberships-by-tenant';

export const tenancyMigrations = [
  CreateTenants1764028801000,
  CreateMemberships1764028820000,
  CreateOAuthProviders1764028821000,
  CreateInvitations1764028840000,
  IndexMembershipsByTenant1764028841000,
];

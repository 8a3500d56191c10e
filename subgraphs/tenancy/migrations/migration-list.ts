import { CreateTenants1764028801000 } from './1764028801000-create-tenants';
import { CreateMemberships1764028820000 } from './1764028820000-create-memberships';
import { CreateOAuthProviders1764028821000 } from './1764028821000-create-oauth-providers';
import { AddTenantDeletion1764028830000 } from './1764028830000-add-tenant-deletion';
import { CreateTenantSettings1764028831000 } from './1764028831000-create-tenant-settings';
import { CreateTenantListing1764028832000 } from './1764028832000-create-tenant-listing';
import { CreateInvitations1764028840000 } from './1764028840000-create-invitations';
import { IndexMembershipsByTenant1764028841000 } from './1764028841000-index-memberships-by-tenant';
import { IndexInvitationExpiry1764028871000 } from './1764028871000-index-invitation-expiry';
import { CreateOAuthSecretReencryption1764028880000 } from './1764028880000-create-oauth-secret-reencryption';
import { CreateTenantStatuses1765007001000 } from './1765007001000-create-tenant-statuses';
import { AddSessionCapOfUser1766005003000 } from './1766005003000-add-session-cap-of-user';
import { AddSessionRetentionOverrides1766005004000 } from './1766005004000-add-session-retention-overrides';

export const tenancyMigrations = [
  CreateTenants1764028801000,
  CreateMemberships1764028820000,
  CreateOAuthProviders1764028821000,
  AddTenantDeletion1764028830000,
  CreateTenantSettings1764028831000,
  CreateTenantListing1764028832000,
  CreateInvitations1764028840000,
  IndexMembershipsByTenant1764028841000,
  IndexInvitationExpiry1764028871000,
  CreateOAuthSecretReencryption1764028880000,
  CreateTenantStatuses1765007001000,
  AddSessionCapOfUser1766005003000,
  AddSessionRetentionOverrides1766005004000,
];

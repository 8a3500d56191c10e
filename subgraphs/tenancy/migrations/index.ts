import { CreateTenants1764028801000 } from './1764028801000-create-tenants';
import { CreateMemberships1764028820000 } from './1764028820000-create-memberships';
import { CreateOAuthProviders1764028821000 } from './1764028821000-create-oauth-providers';

export const tenancyMigrations = [
  CreateTenants1764028801000,
  CreateMemberships1764028820000,
  CreateOAuthProviders1764028821000,
];

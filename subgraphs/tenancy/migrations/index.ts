import { CreateTenants1764028801000 } from './1764028801000-create-tenants';

export const tenancyMigrations = [CreateTenants1764028801000];

import { roleMigrations } from '../platform/db/role-migrations/migration-list';
import { eventsMigrations } from '../platform/events/migrations/migration-list';
import { mailMigrations } from '../platform/mail/migrations/migration-list';
import { assetsMigrations } from '../subgraphs/assets/migrations/migration-list';
import { authMigrations } from '../subgraphs/auth/migrations/migration-list';
import { jobsMigrations } from '../subgraphs/jobs/migrations/migration-list';
import { observabilityMigrations } from '../subgraphs/observability/migrations/migration-list';
import { tenancyMigrations } from '../subgraphs/tenancy/migrations/migration-list';

/** Every subgraph's and platform module's migrations; the runner applies them in timestamp order. */
export const ALL_MIGRATIONS = [
  ...authMigrations,
  ...tenancyMigrations,
  ...assetsMigrations,
  ...jobsMigrations,
  ...observabilityMigrations,
  ...mailMigrations,
  ...eventsMigrations,
  ...roleMigrations,
];

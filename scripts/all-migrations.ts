import { roleMigrations } from '../platform/db/role-migrations';
import { eventsMigrations } from '../platform/events/migrations';
import { mailMigrations } from '../platform/mail/migrations';
import { assetsMigrations } from '../subgraphs/assets/migrations';
import { authMigrations } from '../subgraphs/auth/migrations';
import { jobsMigrations } from '../subgraphs/jobs/migrations';
import { observabilityMigrations } from '../subgraphs/observability/migrations';
import { tenancyMigrations } from '../subgraphs/tenancy/migrations';

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

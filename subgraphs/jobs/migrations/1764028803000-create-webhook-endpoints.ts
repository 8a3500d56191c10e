import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  createOwnedSchema,
  enableTenantIsolation,
  grantTableToApp,
} from '../../../platform/db/migration-helpers';

export class CreateWebhookEndpoints1764028803000 implements MigrationInterface {
  name = 'CreateWebhookEndpoints1764028803000';

  async up(runner: QueryRunner): Promise<void> {
    await createOwnedSchema(runner, 'jobs');
    await runner.query(`
      CREATE TABLE jobs.webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2048),
        description text CHECK (length(description) <= 500),
        event_types text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 100),
        status text NOT NULL DEFAULT 'PENDING_VERIFICATION'
          CHECK (status IN ('PENDING_VERIFICATION', 'ACTIVE', 'PAUSED', 'DISABLED')),
        verified_at timestamptz,
        rate_limit_per_second integer CHECK (rate_limit_per_second BETWEEN 1 AND 10000),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX webhook_endpoints_tenant_created_idx ON jobs.webhook_endpoints (tenant_id, created_at DESC, id DESC)`,
    );
    await grantTableToApp(runner, 'jobs.webhook_endpoints');
    await enableTenantIsolation(runner, 'jobs.webhook_endpoints');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE jobs.webhook_endpoints`);
    await runner.query(`DROP SCHEMA jobs`);
  }
}

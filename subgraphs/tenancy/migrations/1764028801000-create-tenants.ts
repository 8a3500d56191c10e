import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  createOwnedSchema,
  enableTenantIsolation,
  grantTableToApp,
} from '../../../platform/db/migration-helpers';

export class CreateTenants1764028801000 implements MigrationInterface {
  name = 'CreateTenants1764028801000';

  async up(runner: QueryRunner): Promise<void> {
    await createOwnedSchema(runner, 'tenancy');
    await runner.query(`
      CREATE TABLE tenancy.tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{1,46}[a-z0-9])$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE UNIQUE INDEX tenants_slug_key ON tenancy.tenants (slug)`);
    await grantTableToApp(runner, 'tenancy.tenants');
    // A tenant row is visible only inside its own tenant's transactions.
    await enableTenantIsolation(runner, 'tenancy.tenants', 'id');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE tenancy.tenants`);
    await runner.query(`DROP SCHEMA tenancy`);
  }
}

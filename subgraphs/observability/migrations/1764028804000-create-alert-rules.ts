import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  createOwnedSchema,
  enableTenantIsolation,
  grantTableToApp,
} from '../../../platform/db/migration-helpers';

export class CreateAlertRules1764028804000 implements MigrationInterface {
  name = 'CreateAlertRules1764028804000';

  async up(runner: QueryRunner): Promise<void> {
    await createOwnedSchema(runner, 'observability');
    await runner.query(`
      CREATE TABLE observability.alert_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        metric text NOT NULL CHECK (metric ~ '^[a-zA-Z_:][a-zA-Z0-9_:]*$'),
        comparator text NOT NULL CHECK (comparator IN ('>', '>=', '<', '<=', '==', '!=')),
        threshold double precision NOT NULL,
        for_seconds integer NOT NULL CHECK (for_seconds BETWEEN 0 AND 86400),
        severity text NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
        channels text[] NOT NULL CHECK (cardinality(channels) <= 10),
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX alert_rules_tenant_created_idx ON observability.alert_rules (tenant_id, created_at, id)`,
    );
    await grantTableToApp(runner, 'observability.alert_rules');
    await enableTenantIsolation(runner, 'observability.alert_rules');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE observability.alert_rules`);
    await runner.query(`DROP SCHEMA observability`);
  }
}

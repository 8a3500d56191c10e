import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  CURRENT_TENANT_SQL,
  enableTenantIsolation,
  grantSchemaToApp,
  grantTableToApp,
} from '../../../platform/db/migration-helpers';
import { serviceRole } from '../../../platform/db/roles';

/**
 * Alert channels whose target is a secret: a Slack incoming-webhook URL or a PagerDuty routing
 * key, encrypted with the platform key ring (associated data: the channel's id). Rules name
 * them as `slack:<id>` / `pagerduty:<id>`, so the secret lives in one row, never in a rule, an
 * event or a job. `secret_hint` is what queries show instead (host and last characters).
 *
 * Owned like alert rules: a tenant's (tenant_id) or the platform's (NULL), row-level security
 * keeping each to its own. The worker, which sends the notifications, may read them and
 * nothing else of the schema.
 */
export class CreateAlertChannels1766004000000 implements MigrationInterface {
  name = 'CreateAlertChannels1766004000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE observability.alert_channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid,
        kind text NOT NULL CHECK (kind IN ('SLACK', 'PAGERDUTY')),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        secret_ciphertext text NOT NULL,
        secret_hint text NOT NULL CHECK (length(secret_hint) <= 120),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX alert_channels_tenant_name_key
         ON observability.alert_channels (tenant_id, name) WHERE tenant_id IS NOT NULL`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX alert_channels_platform_name_key
         ON observability.alert_channels (name) WHERE tenant_id IS NULL`,
    );
    await runner.query(
      `CREATE INDEX alert_channels_tenant_created_idx
         ON observability.alert_channels (tenant_id, created_at, id)`,
    );
    await enableTenantIsolation(runner, 'observability.alert_channels');
    const visible = `tenant_id = ${CURRENT_TENANT_SQL}
                     OR (tenant_id IS NULL AND ${CURRENT_TENANT_SQL} IS NULL)`;
    await runner.query(`DROP POLICY tenant_isolation ON observability.alert_channels`);
    await runner.query(
      `CREATE POLICY tenant_isolation ON observability.alert_channels
         USING (${visible}) WITH CHECK (${visible})`,
    );
    await grantSchemaToApp(runner, 'observability', ['observability', 'worker']);
    await grantTableToApp(runner, 'observability.alert_channels');
    await runner.query(`GRANT SELECT ON observability.alert_channels TO ${serviceRole('worker')}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE observability.alert_channels`);
    await grantSchemaToApp(runner, 'observability', ['observability']);
  }
}

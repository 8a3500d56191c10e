import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CURRENT_TENANT_SQL } from '../../../platform/db/migration-helpers';

const TABLES = ['alert_rules', 'alerts', 'alert_rule_states', 'alert_notifications'].map(
  (table) => `observability.${table}`,
);

/**
 * Platform alert rules: rules no tenant owns (tenant_id NULL), written by platform
 * administrators, with their alerts, evaluator state and notifications NULL-tenant too.
 *
 * Row-level security keeps the two apart both ways, as it does for platform dead letters and
 * events: a tenant transaction sees and writes only its tenant's rows, a transaction with no
 * tenant set only platform rows. A tenant never sees a platform rule, and no tenant-scoped
 * write can create one.
 *
 * observability.alert_tenants() needs no change: its UNION now yields NULL when the platform
 * has something to evaluate, which the evaluator reads as the platform's turn.
 */
export class AddPlatformAlertRules1764028900000 implements MigrationInterface {
  name = 'AddPlatformAlertRules1764028900000';

  async up(runner: QueryRunner): Promise<void> {
    const visible = `tenant_id = ${CURRENT_TENANT_SQL}
                     OR (tenant_id IS NULL AND ${CURRENT_TENANT_SQL} IS NULL)`;
    for (const table of TABLES) {
      await runner.query(`ALTER TABLE ${table} ALTER COLUMN tenant_id DROP NOT NULL`);
      await runner.query(`DROP POLICY tenant_isolation ON ${table}`);
      await runner.query(
        `CREATE POLICY tenant_isolation ON ${table} USING (${visible}) WITH CHECK (${visible})`,
      );
    }
    // NULLs are distinct in alert_rules_tenant_name_key: platform names need their own.
    await runner.query(
      `CREATE UNIQUE INDEX alert_rules_platform_name_key ON observability.alert_rules (name)
        WHERE tenant_id IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    // Alerts, states and notifications go with their rules (ON DELETE CASCADE).
    await runner.query(`DELETE FROM observability.alert_rules WHERE tenant_id IS NULL`);
    await runner.query(`DROP INDEX observability.alert_rules_platform_name_key`);
    for (const table of [...TABLES].reverse()) {
      await runner.query(`DELETE FROM ${table} WHERE tenant_id IS NULL`);
      await runner.query(`DROP POLICY tenant_isolation ON ${table}`);
      await runner.query(
        `CREATE POLICY tenant_isolation ON ${table}
           USING (tenant_id = ${CURRENT_TENANT_SQL})
           WITH CHECK (tenant_id = ${CURRENT_TENANT_SQL})`,
      );
      await runner.query(`ALTER TABLE ${table} ALTER COLUMN tenant_id SET NOT NULL`);
    }
  }
}

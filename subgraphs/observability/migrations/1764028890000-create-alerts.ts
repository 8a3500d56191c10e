import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  enableTenantIsolation,
  grantFunctionToApp,
  grantTableToApp,
  requireRowLevelSecurityBypass,
} from '../../../platform/db/migration-helpers';

const SEVERITY_CHECK = `severity IN ('INFO', 'WARNING', 'CRITICAL')`;
const TENANTS_FUNCTION = 'observability.alert_tenants()';

/**
 * Alerts and what the evaluator keeps between rounds:
 * - alert_rules: a metric may carry label matchers (`name{label="value"}`); names are unique
 *   per tenant;
 * - alerts: one row per firing, at most one open (unresolved) per rule;
 * - alert_rule_states: per rule, since when its condition holds (the `for` window) and the
 *   last counter sample (for rates);
 * - alert_notifications: the outbox of notifications to enqueue, written in the transaction
 *   that fires or resolves the alert and deleted once the `alerts` queue has the job, so a
 *   notification is never lost between the commit and the queue.
 * The evaluator finds the tenants to look at through one SECURITY DEFINER function (the app
 * role sees one tenant per transaction), then works in each tenant's own transaction.
 */
export class CreateAlerts1764028890000 implements MigrationInterface {
  name = 'CreateAlerts1764028890000';

  async up(runner: QueryRunner): Promise<void> {
    await this.createRulesAndAlerts(runner);
    await this.createNotifications(runner);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ${TENANTS_FUNCTION}`);
    await runner.query(`DROP TABLE observability.alert_notifications`);
    await runner.query(`DROP TABLE observability.alert_rule_states`);
    await runner.query(`DROP TABLE observability.alerts`);
    await runner.query(`DROP INDEX observability.alert_rules_enabled_idx`);
    await runner.query(`DROP INDEX observability.alert_rules_tenant_name_key`);
    await runner.query(`
      ALTER TABLE observability.alert_rules
        DROP CONSTRAINT alert_rules_metric_check,
        ADD CONSTRAINT alert_rules_metric_check
          CHECK (metric ~ '^[a-zA-Z_:][a-zA-Z0-9_:]*$')`);
  }

  private async createRulesAndAlerts(runner: QueryRunner): Promise<void> {
    await requireRowLevelSecurityBypass(runner, TENANTS_FUNCTION);

    await runner.query(`
      ALTER TABLE observability.alert_rules
        DROP CONSTRAINT alert_rules_metric_check,
        ADD CONSTRAINT alert_rules_metric_check
          CHECK (length(metric) <= 300 AND metric ~ '^[a-z_:][a-z0-9_:]*(\\{[^{}]*\\})?$')`);
    await runner.query(
      `CREATE UNIQUE INDEX alert_rules_tenant_name_key ON observability.alert_rules (tenant_id, name)`,
    );
    await runner.query(
      `CREATE INDEX alert_rules_enabled_idx ON observability.alert_rules (tenant_id) WHERE enabled`,
    );

    await runner.query(`
      CREATE TABLE observability.alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        rule_id uuid NOT NULL REFERENCES observability.alert_rules (id) ON DELETE CASCADE,
        severity text NOT NULL CHECK (${SEVERITY_CHECK}),
        message text NOT NULL CHECK (length(message) BETWEEN 1 AND 1000),
        value double precision,
        fired_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz CHECK (resolved_at >= fired_at),
        acknowledged_at timestamptz,
        acknowledged_by uuid,
        CHECK (acknowledged_by IS NULL OR acknowledged_at IS NOT NULL)
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX alerts_open_rule_key ON observability.alerts (rule_id) WHERE resolved_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX alerts_tenant_fired_idx ON observability.alerts (tenant_id, fired_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX alerts_tenant_open_idx ON observability.alerts (tenant_id, fired_at DESC, id DESC) WHERE resolved_at IS NULL`,
    );

    await runner.query(`
      CREATE TABLE observability.alert_rule_states (
        rule_id uuid PRIMARY KEY REFERENCES observability.alert_rules (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        pending_since timestamptz,
        last_value double precision,
        last_sample double precision,
        last_sample_at timestamptz,
        evaluated_at timestamptz NOT NULL,
        CHECK ((last_sample IS NULL) = (last_sample_at IS NULL))
      )`);
    await runner.query(
      `CREATE INDEX alert_rule_states_tenant_idx ON observability.alert_rule_states (tenant_id)`,
    );
  }

  private async createNotifications(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE observability.alert_notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        alert_id uuid NOT NULL REFERENCES observability.alerts (id) ON DELETE CASCADE,
        transition text NOT NULL CHECK (transition IN ('fired', 'resolved')),
        -- The journal's alert.fired / alert.resolved event: what a webhook delivers.
        event_id uuid NOT NULL,
        channel text NOT NULL CHECK (length(channel) BETWEEN 1 AND 300),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX alert_notifications_tenant_created_idx ON observability.alert_notifications (tenant_id, created_at)`,
    );
    await runner.query(
      `CREATE INDEX alert_notifications_alert_idx ON observability.alert_notifications (alert_id)`,
    );

    for (const table of ['alerts', 'alert_rule_states', 'alert_notifications']) {
      await grantTableToApp(runner, `observability.${table}`);
      await enableTenantIsolation(runner, `observability.${table}`);
    }

    // The tenants with something to evaluate: enabled rules, open alerts (their rule may have
    // been disabled since), or notifications still waiting for the queue.
    await runner.query(`
      CREATE FUNCTION ${TENANTS_FUNCTION} RETURNS SETOF uuid
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $fn$
        SELECT tenant_id FROM observability.alert_rules WHERE enabled
        UNION SELECT tenant_id FROM observability.alerts WHERE resolved_at IS NULL
        UNION SELECT tenant_id FROM observability.alert_notifications
      $fn$`);
    await grantFunctionToApp(runner, TENANTS_FUNCTION);
  }
}

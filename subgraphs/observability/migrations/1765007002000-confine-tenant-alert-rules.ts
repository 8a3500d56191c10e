import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Why a tenant rule on a process metric was disabled, as its owners read it. */
export const PLATFORM_METRIC_DISABLED_REASON =
  "It watched a platform-wide metric, which counts every tenant's traffic; a tenant's rules " +
  'watch its own figures (tessera_journal_events_total). Update the rule to use one.';

/**
 * Tenant rules watch only their tenant's own figures (the journal measures); process metrics,
 * which count every tenant's traffic together, are for platform rules. Enabled tenant rules
 * written before on a process metric are disabled, not deleted, with the reason their owners
 * see (`AlertRule.disabledReason`; updating a rule clears it), so reverting re-enables exactly
 * those. Their open alerts resolve at the next evaluation, as for any disabled rule. A rule
 * its owner had disabled stays so; enabling it again asks for a tenant measure
 * (BAD_USER_INPUT), and the evaluator reads such a metric as no data anyway.
 */
export class ConfineTenantAlertRules1765007002000 implements MigrationInterface {
  name = 'ConfineTenantAlertRules1765007002000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE observability.alert_rules
        ADD COLUMN disabled_reason text CHECK (length(disabled_reason) BETWEEN 1 AND 300)`);
    await runner.query(
      `UPDATE observability.alert_rules SET enabled = false, disabled_reason = $1
        WHERE enabled AND tenant_id IS NOT NULL
          AND metric !~ '^tessera_journal_events_total([{]|$)'`,
      [PLATFORM_METRIC_DISABLED_REASON],
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `UPDATE observability.alert_rules SET enabled = true WHERE disabled_reason = $1`,
      [PLATFORM_METRIC_DISABLED_REASON],
    );
    await runner.query(`ALTER TABLE observability.alert_rules DROP COLUMN disabled_reason`);
  }
}

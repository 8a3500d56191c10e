import type { EntityManager } from 'typeorm';
import { ownedBy } from './owned-by';

/** What the evaluator remembers of a rule between rounds (observability.alert_rule_states). */
export interface AlertRuleState {
  ruleId: string;
  /** Since when the condition holds without a break; null when it does not hold. */
  pendingSince: Date | null;
  lastValue: number | null;
  /** The counter total last read, and when: a rate needs two. */
  lastSample: number | null;
  lastSampleAt: Date | null;
  evaluatedAt: Date;
}

/**
 * Runs inside a tenant transaction, or a platform one (tenant null): row-level security limits
 * every query to that owner's rules.
 */
export class AlertStateRepository {
  constructor(private readonly manager: EntityManager) {}

  async byRule(tenantId: string | null): Promise<Map<string, AlertRuleState>> {
    const params: unknown[] = [];
    const rows = await this.manager.query<AlertRuleState[]>(
      `SELECT rule_id AS "ruleId", pending_since AS "pendingSince", last_value AS "lastValue",
              last_sample AS "lastSample", last_sample_at AS "lastSampleAt",
              evaluated_at AS "evaluatedAt"
         FROM observability.alert_rule_states
        WHERE ${ownedBy('tenant_id', tenantId, params)}`,
      params,
    );
    return new Map(rows.map((row) => [row.ruleId, row]));
  }

  async save(tenantId: string | null, state: AlertRuleState): Promise<void> {
    await this.manager.query(
      `INSERT INTO observability.alert_rule_states
         (rule_id, tenant_id, pending_since, last_value, last_sample, last_sample_at, evaluated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (rule_id) DO UPDATE SET pending_since = EXCLUDED.pending_since,
         last_value = EXCLUDED.last_value, last_sample = EXCLUDED.last_sample,
         last_sample_at = EXCLUDED.last_sample_at, evaluated_at = EXCLUDED.evaluated_at`,
      [
        state.ruleId,
        tenantId,
        state.pendingSince,
        state.lastValue,
        state.lastSample,
        state.lastSampleAt,
        state.evaluatedAt,
      ],
    );
  }

  /** Forgets the windows and samples of every rule of the tenant (it is paused). */
  async forgetTenant(tenantId: string): Promise<void> {
    await this.manager.query(`DELETE FROM observability.alert_rule_states WHERE tenant_id = $1`, [
      tenantId,
    ]);
  }

  /** Forgets a rule's window and samples (its definition changed). */
  async reset(ruleId: string): Promise<void> {
    await this.manager.query(`DELETE FROM observability.alert_rule_states WHERE rule_id = $1`, [
      ruleId,
    ]);
  }
}

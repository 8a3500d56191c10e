import { In, IsNull, type EntityManager } from 'typeorm';
import { AlertRuleEntity } from '../../entities/alert-rule.entity';

/** The columns a client sets on a rule. */
export type AlertRuleFields = Pick<
  AlertRuleEntity,
  | 'name'
  | 'metric'
  | 'comparator'
  | 'threshold'
  | 'forSeconds'
  | 'severity'
  | 'channels'
  | 'enabled'
  | 'disabledReason'
>;

/**
 * Runs inside a tenant transaction, or a platform one (tenant null): row-level security limits
 * every query to that owner's rules.
 */
export class AlertRuleRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Oldest first (index: tenant, created_at, id). */
  listForTenant(tenantId: string | null, limit: number): Promise<AlertRuleEntity[]> {
    return this.manager.find(AlertRuleEntity, {
      where: { tenantId: tenantId ?? IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
    });
  }

  findById(id: string): Promise<AlertRuleEntity | null> {
    return this.manager.findOne(AlertRuleEntity, { where: { id } });
  }

  /** With a row lock: the evaluator and an update of the same rule take turns. */
  findByIdForUpdate(id: string): Promise<AlertRuleEntity | null> {
    return this.manager.findOne(AlertRuleEntity, {
      where: { id },
      lock: { mode: 'pessimistic_write' },
    });
  }

  findByIds(ids: readonly string[]): Promise<AlertRuleEntity[]> {
    return this.manager.find(AlertRuleEntity, { where: { id: In([...ids]) } });
  }

  countForTenant(tenantId: string | null): Promise<number> {
    return this.manager.count(AlertRuleEntity, { where: { tenantId: tenantId ?? IsNull() } });
  }

  async insert(tenantId: string | null, fields: AlertRuleFields): Promise<AlertRuleEntity> {
    const saved = await this.manager.save(
      this.manager.create(AlertRuleEntity, { ...fields, tenantId }),
    );
    return (await this.findById(saved.id))!;
  }

  async update(id: string, fields: AlertRuleFields): Promise<AlertRuleEntity | null> {
    const result = await this.manager.update(AlertRuleEntity, { id }, fields);
    return result.affected ? this.findById(id) : null;
  }

  /** The names of the owner's rules whose channels include `channel` (e.g. `slack:<id>`). */
  async namesSendingTo(channel: string): Promise<string[]> {
    const rows: { name: string }[] = await this.manager.query(
      `SELECT name FROM observability.alert_rules WHERE $1 = ANY(channels) ORDER BY name LIMIT 10`,
      [channel],
    );
    return rows.map((row) => row.name);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.manager.delete(AlertRuleEntity, { id });
    return (result.affected ?? 0) > 0;
  }
}

import type { EntityManager } from 'typeorm';
import { AlertRuleEntity } from '../entities/alert-rule.entity';

/** Runs inside a tenant transaction: row-level security limits every query to that tenant. */
export class AlertRuleRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Oldest first (index: tenant, created_at, id). */
  listForTenant(tenantId: string, limit: number): Promise<AlertRuleEntity[]> {
    return this.manager.find(AlertRuleEntity, {
      where: { tenantId },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
    });
  }
}

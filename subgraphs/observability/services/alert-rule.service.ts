import type { TenantScope } from '../../../platform/db';
import type { AlertRuleEntity } from '../entities/alert-rule.entity';
import { AlertRuleRepository } from '../repositories/alert-rule.repository';

/** The most rules one tenant may have; also bounds the unpaginated list. */
export const MAX_RULES_PER_TENANT = 200;

export class AlertRuleService {
  constructor(private readonly scope: TenantScope) {}

  list(): Promise<AlertRuleEntity[]> {
    return this.scope.run((manager) =>
      new AlertRuleRepository(manager).listForTenant(this.scope.tenantId, MAX_RULES_PER_TENANT),
    );
  }
}

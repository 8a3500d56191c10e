import DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/db';
import type { AlertRuleEntity } from './entities/alert-rule.entity';
import { AlertRuleRepository } from './repositories/alert-rule.repository';

export interface ObservabilityLoaders {
  /** Alert → its rule: one query per list of alerts. */
  ruleById: DataLoader<string, AlertRuleEntity | null>;
}

/** Created per request, so nothing cached outlives the request or crosses tenants. */
export function createObservabilityLoaders(scope: TenantScope): ObservabilityLoaders {
  return {
    ruleById: new DataLoader(async (ids) => {
      const rules = await scope.run((manager) => new AlertRuleRepository(manager).findByIds(ids));
      const byId = new Map(rules.map((rule) => [rule.id, rule]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

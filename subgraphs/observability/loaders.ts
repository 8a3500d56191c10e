import DataLoader from 'dataloader';
import type { AlertScope } from './alerts/alert-scope';
import type { AlertRuleEntity } from './entities/alert-rule.entity';
import { AlertRuleRepository } from './alerts/repositories/alert-rule.repository';

export interface ObservabilityLoaders {
  /** Tenant alert → its rule: one query per list of alerts. */
  ruleById: DataLoader<string, AlertRuleEntity | null>;
  /** Platform alert → its rule, read in a platform transaction (tenant rules stay hidden). */
  platformRuleById: DataLoader<string, AlertRuleEntity | null>;
}

/** Created per request, so nothing cached outlives the request or crosses tenants. */
export function createObservabilityLoaders(
  tenant: AlertScope,
  platform: AlertScope,
): ObservabilityLoaders {
  return { ruleById: ruleLoader(tenant), platformRuleById: ruleLoader(platform) };
}

function ruleLoader(scope: AlertScope): DataLoader<string, AlertRuleEntity | null> {
  return new DataLoader(async (ids) => {
    const rules = await scope.run((manager) => new AlertRuleRepository(manager).findByIds(ids));
    const byId = new Map(rules.map((rule) => [rule.id, rule]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

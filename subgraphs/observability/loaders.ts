import type DataLoader from 'dataloader';
import type { Scope } from '../../platform/db/scope';
import { byIdLoader } from '../../platform/graphql/by-id-loader';
import type { AlertRuleEntity } from './entities/alert-rule.entity';
import { AlertRuleRepository } from './alerts/repositories/alert-rule.repository';

export interface ObservabilityLoaders {
  /** Tenant alert → its rule: one query per list of alerts. */
  ruleById: DataLoader<string, AlertRuleEntity | null>;
  /** Platform alert → its rule, read in a platform transaction (tenant rules stay hidden). */
  platformRuleById: DataLoader<string, AlertRuleEntity | null>;
}

/** Created per request, so nothing cached outlives the request or crosses tenants. */
export function createObservabilityLoaders(tenant: Scope, platform: Scope): ObservabilityLoaders {
  return { ruleById: ruleLoader(tenant), platformRuleById: ruleLoader(platform) };
}

function ruleLoader(scope: Scope): DataLoader<string, AlertRuleEntity | null> {
  return byIdLoader(
    (ids) => scope.lookup((manager) => new AlertRuleRepository(manager).findByIds(ids)),
    (rule) => rule.id,
  );
}

import type { SubgraphDefinition } from '../../platform/subgraph/subgraph-service';
import { observabilityConfigRules, observabilityConfigShape } from './config';
import { createObservabilityContext, type ObservabilityContext } from './context';
import { AlertRuleEntity } from './entities/alert-rule.entity';
import { resolvers } from './resolvers/resolver-map';
import { setupObservability, type ObservabilityServices } from './setup';

export const observabilitySubgraph: SubgraphDefinition<
  ObservabilityContext,
  typeof observabilityConfigShape,
  ObservabilityServices
> = {
  name: 'observability',
  defaultPort: 4005,
  config: { shape: observabilityConfigShape, rules: observabilityConfigRules },
  entities: [AlertRuleEntity],
  resolvers,
  // Children first: notifications, rule states and alerts reference the rules.
  purgeTables: [
    'observability.alert_notifications',
    'observability.alert_rule_states',
    'observability.alerts',
    'observability.alert_rules',
    'observability.tenant_usage_daily',
    'observability.alert_channels',
  ],
  setup: setupObservability,
  createContext: createObservabilityContext,
};

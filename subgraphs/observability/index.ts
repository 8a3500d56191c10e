import type { SubgraphDefinition } from '../../platform/graphql';
import { createObservabilityContext, type ObservabilityContext } from './context';
import { AlertRuleEntity } from './entities/alert-rule.entity';
import { resolvers } from './resolvers';

export const observabilitySubgraph: SubgraphDefinition<ObservabilityContext> = {
  name: 'observability',
  defaultPort: 4005,
  entities: [AlertRuleEntity],
  resolvers,
  purgeTables: ['observability.alert_rules'],
  createContext: createObservabilityContext,
};

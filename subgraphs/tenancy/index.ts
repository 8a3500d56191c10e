import type { SubgraphDefinition } from '../../platform/graphql';
import { createTenancyContext, type TenancyContext } from './context';
import { TenantEntity } from './entities/tenant.entity';
import { resolvers } from './resolvers';

export const tenancySubgraph: SubgraphDefinition<TenancyContext> = {
  name: 'tenancy',
  defaultPort: 4002,
  entities: [TenantEntity],
  resolvers,
  createContext: createTenancyContext,
};

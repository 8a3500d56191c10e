import type { SubgraphDefinition } from '../../platform/graphql';
import { createAuthContext, type AuthContext } from './context';
import { UserEntity } from './entities/user.entity';
import { resolvers } from './resolvers';

export const authSubgraph: SubgraphDefinition<AuthContext> = {
  name: 'auth',
  defaultPort: 4001,
  entities: [UserEntity],
  resolvers,
  createContext: createAuthContext,
};

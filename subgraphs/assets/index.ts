import type { SubgraphDefinition } from '../../platform/graphql';
import { createAssetsContext, type AssetsContext } from './context';
import { AssetEntity } from './entities/asset.entity';
import { resolvers } from './resolvers';

export const assetsSubgraph: SubgraphDefinition<AssetsContext> = {
  name: 'assets',
  defaultPort: 4003,
  entities: [AssetEntity],
  resolvers,
  purgeTables: ['assets.assets'],
  createContext: createAssetsContext,
};

import type { SubgraphDefinition } from '../../platform/subgraph/subgraph-service';
import { assetsConfigRules, assetsConfigShape } from './config';
import { createAssetsContext, type AssetsContext } from './context';
import { AssetEntity } from './entities/asset.entity';
import { resolvers } from './resolvers/resolver-map';
import { assetsRetentionPurge } from './retention-purge';
import type { AssetsServices } from './services/assets-services';
import { setupAssets } from './setup';

export const assetsSubgraph: SubgraphDefinition<
  AssetsContext,
  typeof assetsConfigShape,
  AssetsServices
> = {
  name: 'assets',
  defaultPort: 4003,
  config: { shape: assetsConfigShape, rules: assetsConfigRules },
  entities: [AssetEntity],
  resolvers,
  purgeTables: ['assets.assets'],
  retentionPurge: assetsRetentionPurge,
  setup: setupAssets,
  createContext: createAssetsContext,
};

import type DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/db/scope';
import { byIdLoader } from '../../platform/graphql/by-id-loader';
import type { AssetEntity } from './entities/asset.entity';
import { AssetRepository } from './repositories/asset.repository';

export interface AssetLoaders {
  assetById: DataLoader<string, AssetEntity | null>;
}

export function createLoaders(scope: TenantScope): AssetLoaders {
  return {
    assetById: byIdLoader(
      (ids) => scope.lookup((manager) => new AssetRepository(manager).findByIds(ids)),
      (asset) => asset.id,
    ),
  };
}

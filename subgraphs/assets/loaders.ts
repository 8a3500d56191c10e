import DataLoader from 'dataloader';
import type { TenantScope } from '../../platform/db';
import type { AssetEntity } from './entities/asset.entity';
import { AssetRepository } from './repositories/asset.repository';

export interface AssetLoaders {
  assetById: DataLoader<string, AssetEntity | null>;
}

export function createLoaders(scope: TenantScope): AssetLoaders {
  return {
    assetById: new DataLoader(async (ids) => {
      const assets = await scope.run((manager) => new AssetRepository(manager).findByIds(ids));
      const byId = new Map(assets.map((asset) => [asset.id, asset]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

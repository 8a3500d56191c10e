import { isUuid, parseId } from '../../../platform/graphql';
import type { AssetEntity } from '../entities/asset.entity';
import type { AssetLoaders } from '../loaders';

export class AssetService {
  constructor(private readonly loaders: AssetLoaders) {}

  /** An asset of the current tenant; another tenant's id reads as not there. */
  byId(id: string): Promise<AssetEntity | null> {
    return this.loaders.assetById.load(parseId(id));
  }

  async byReference(id: string): Promise<AssetEntity | null> {
    return isUuid(id) ? this.loaders.assetById.load(id.toLowerCase()) : null;
  }
}

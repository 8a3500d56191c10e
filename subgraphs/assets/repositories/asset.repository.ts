import { In, type EntityManager } from 'typeorm';
import { AssetEntity } from '../entities/asset.entity';

/** Runs inside a tenant transaction: row-level security limits every query to that tenant. */
export class AssetRepository {
  constructor(private readonly manager: EntityManager) {}

  findByIds(ids: readonly string[]): Promise<AssetEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.manager.find(AssetEntity, { where: { id: In([...ids]) } });
  }
}

import type { EntityManager } from 'typeorm';
import { TenantEntity } from '../entities/tenant.entity';

export class TenantRepository {
  constructor(private readonly manager: EntityManager) {}

  findById(id: string): Promise<TenantEntity | null> {
    return this.manager.findOneBy(TenantEntity, { id });
  }
}

import { isUuid } from '../../../platform/graphql';
import type { TenantScope } from '../../../platform/db';
import type { TenantEntity } from '../entities/tenant.entity';
import { TenantRepository } from '../repositories/tenant.repository';

export class TenantService {
  constructor(private readonly scope: TenantScope) {}

  /** The tenant the request is scoped to; null when it does not exist. */
  current(): Promise<TenantEntity | null> {
    return this.scope.run((manager) => new TenantRepository(manager).findById(this.scope.tenantId));
  }

  /**
   * A `Tenant` reference from another subgraph. Row-level security makes any tenant other
   * than the request's own resolve to null.
   */
  async byReference(id: string): Promise<TenantEntity | null> {
    if (!isUuid(id)) return null;
    return this.scope.run((manager) => new TenantRepository(manager).findById(id.toLowerCase()));
  }
}

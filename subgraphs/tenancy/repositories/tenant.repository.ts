import type { EntityManager } from 'typeorm';
import { TenantEntity, type TenantStatus } from '../entities/tenant.entity';

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  created_at: Date;
}

export class TenantRepository {
  constructor(private readonly manager: EntityManager) {}

  findById(id: string): Promise<TenantEntity | null> {
    return this.manager.findOneBy(TenantEntity, { id });
  }

  /**
   * Inserts unless the slug is taken (by any tenant: the unique index sees past row-level
   * security); null when it is. Must run in the new tenant's own transaction, or the policy's
   * WITH CHECK refuses the row.
   */
  async insert(tenant: { id: string; slug: string; name: string }): Promise<TenantEntity | null> {
    const rows: TenantRow[] = await this.manager.query(
      `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, $3)
       ON CONFLICT (slug) DO NOTHING
       RETURNING id, slug, name, status, created_at`,
      [tenant.id, tenant.slug, tenant.name],
    );
    return rows[0] ? toTenant(rows[0]) : null;
  }
}

export function toTenant(row: TenantRow): TenantEntity {
  return Object.assign(new TenantEntity(), {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    createdAt: row.created_at,
  });
}

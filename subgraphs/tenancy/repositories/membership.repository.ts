import type { EntityManager } from 'typeorm';
import { MembershipEntity, type Role } from '../entities/membership.entity';
import type { TenantEntity, TenantStatus } from '../entities/tenant.entity';
import { toTenant } from './tenant.repository';

/** A membership with its tenant, read across tenants for the member themself. */
export interface MembershipWithTenant {
  membership: MembershipEntity;
  tenant: TenantEntity;
}

interface MembershipOfUserRow {
  id: string;
  tenant_id: string;
  role: Role;
  created_at: Date;
  tenant_slug: string;
  tenant_name: string;
  tenant_status: TenantStatus;
  tenant_created_at: Date;
}

/**
 * Every SQL statement about memberships. Reads without a tenant go through the SECURITY
 * DEFINER functions of the memberships migration; everything else runs inside a tenant's
 * transaction, under row-level security.
 */
export class MembershipRepository {
  constructor(private readonly manager: EntityManager) {}

  /** In the current tenant's transaction (WITH CHECK refuses any other tenant). */
  async insert(membership: {
    tenantId: string;
    userId: string;
    role: Role;
  }): Promise<MembershipEntity> {
    const rows: { id: string; created_at: Date }[] = await this.manager.query(
      `INSERT INTO tenancy.memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)
       RETURNING id, created_at`,
      [membership.tenantId, membership.userId, membership.role],
    );
    const row = rows[0]!;
    return Object.assign(new MembershipEntity(), {
      ...membership,
      id: row.id,
      createdAt: row.created_at,
    });
  }

  /** The user's memberships in every tenant, oldest first (index on user_id). */
  async ofUser(userId: string): Promise<MembershipWithTenant[]> {
    const rows: MembershipOfUserRow[] = await this.manager.query(
      `SELECT id, tenant_id, role, created_at, tenant_slug, tenant_name, tenant_status,
              tenant_created_at
         FROM tenancy.memberships_of_user($1)`,
      [userId],
    );
    return rows.map((row) => ({
      membership: Object.assign(new MembershipEntity(), {
        id: row.id,
        tenantId: row.tenant_id,
        userId,
        role: row.role,
        createdAt: row.created_at,
      }),
      tenant: toTenant({
        id: row.tenant_id,
        slug: row.tenant_slug,
        name: row.tenant_name,
        status: row.tenant_status,
        created_at: row.tenant_created_at,
      }),
    }));
  }

  /** How many tenants the user owns, across all tenants. */
  async countOwnedBy(userId: string): Promise<number> {
    const rows: { count: string }[] = await this.manager.query(
      `SELECT count(*) AS count FROM tenancy.memberships_of_user($1) WHERE role = 'OWNER'`,
      [userId],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * The tenant's status and the user's role in it; null when the tenant does not exist, a
   * null role when the user is not a member.
   */
  async roleOf(
    tenantId: string,
    userId: string,
  ): Promise<{ tenantStatus: TenantStatus; role: Role | null } | null> {
    const rows: { role: Role | null; tenant_status: TenantStatus }[] = await this.manager.query(
      `SELECT role, tenant_status FROM tenancy.role_of($1, $2)`,
      [tenantId, userId],
    );
    const row = rows[0];
    return row ? { tenantStatus: row.tenant_status, role: row.role } : null;
  }

  /**
   * Serializes one user's tenant creations until the transaction ends, so two concurrent
   * requests cannot both pass the owned-tenant cap.
   */
  async lockUser(userId: string): Promise<void> {
    await this.manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `tenancy.memberships.user:${userId}`,
    ]);
  }
}

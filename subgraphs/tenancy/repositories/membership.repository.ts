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

interface MembershipRow {
  id: string;
  tenant_id: string;
  user_id: string;
  role: Role;
  created_at: Date;
}

/** A membership and its exact keyset position (created_at to the microsecond, which a Date loses). */
export interface MembershipInPage {
  membership: MembershipEntity;
  position: { createdAt: string; id: string };
}

const MEMBERSHIP_COLUMNS = 'id, tenant_id, user_id, role, created_at';

/**
 * The tenant lock (`Scope.run`'s `lockTenant`) that serializes a tenant's membership changes:
 * role changes, removals and invitations read the actor's role and the OWNER count under it,
 * so two concurrent demotions cannot both see a second OWNER and leave none.
 */
export const MEMBERSHIP_CHANGES_LOCK = 'tenancy.memberships.tenant';

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

  /**
   * One page of the tenant's members, oldest first, strictly after `after` (index on
   * tenant_id, created_at, id). The position comes back as text with microseconds, so a
   * cursor built from it compares exactly.
   */
  async page(
    tenantId: string,
    after: { createdAt: string; id: string } | null,
    limit: number,
  ): Promise<MembershipInPage[]> {
    const rows: (MembershipRow & { position: string })[] = await this.manager.query(
      `SELECT ${MEMBERSHIP_COLUMNS},
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position
         FROM tenancy.memberships
        WHERE tenant_id = $1
          ${after ? 'AND (created_at, id) > ($3::timestamptz, $4::uuid)' : ''}
        ORDER BY created_at, id
        LIMIT $2`,
      after ? [tenantId, limit, after.createdAt, after.id] : [tenantId, limit],
    );
    return rows.map((row) => ({
      membership: toMembership(row),
      position: { createdAt: row.position, id: row.id },
    }));
  }

  /** The user's membership in the tenant, locked until the transaction ends. */
  async findForUpdate(tenantId: string, userId: string): Promise<MembershipEntity | null> {
    const rows: MembershipRow[] = await this.manager.query(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM tenancy.memberships
        WHERE tenant_id = $1 AND user_id = $2 FOR UPDATE`,
      [tenantId, userId],
    );
    return rows[0] ? toMembership(rows[0]) : null;
  }

  /** How many OWNERs the tenant has (partial index on tenant_id WHERE role = 'OWNER'). */
  async countOwners(tenantId: string): Promise<number> {
    const rows: { count: string }[] = await this.manager.query(
      `SELECT count(*) AS count FROM tenancy.memberships WHERE tenant_id = $1 AND role = 'OWNER'`,
      [tenantId],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** In the current tenant's transaction; null when the user already belongs to the tenant. */
  async insertIfAbsent(membership: {
    tenantId: string;
    userId: string;
    role: Role;
  }): Promise<MembershipEntity | null> {
    const rows: MembershipRow[] = await this.manager.query(
      `INSERT INTO tenancy.memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, user_id) DO NOTHING
       RETURNING ${MEMBERSHIP_COLUMNS}`,
      [membership.tenantId, membership.userId, membership.role],
    );
    return rows[0] ? toMembership(rows[0]) : null;
  }

  async updateRole(tenantId: string, userId: string, role: Role): Promise<MembershipEntity | null> {
    // TypeORM answers an UPDATE (or DELETE) with [rows, affected count].
    const [rows]: [MembershipRow[], number] = await this.manager.query(
      `UPDATE tenancy.memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2
       RETURNING ${MEMBERSHIP_COLUMNS}`,
      [tenantId, userId, role],
    );
    return rows[0] ? toMembership(rows[0]) : null;
  }

  /** True when there was a membership to delete. */
  async remove(tenantId: string, userId: string): Promise<boolean> {
    const [, deleted]: [unknown[], number] = await this.manager.query(
      `DELETE FROM tenancy.memberships WHERE tenant_id = $1 AND user_id = $2`,
      [tenantId, userId],
    );
    return deleted > 0;
  }
}

function toMembership(row: MembershipRow): MembershipEntity {
  return Object.assign(new MembershipEntity(), {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    role: row.role,
    createdAt: row.created_at,
  });
}

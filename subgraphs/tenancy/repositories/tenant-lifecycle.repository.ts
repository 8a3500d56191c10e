import type { EntityManager } from 'typeorm';
import { writeWithEvent, type PreparedEvent } from '../../../platform/events/append-event';
import type { CursorPosition } from '../../../platform/graphql/pagination';
import type { Role } from '../entities/membership.entity';
import type { TenantEntity, TenantStatus } from '../entities/tenant.entity';
import type { StoredTenantSettings } from './tenant-settings.repository';
import { toTenant } from './tenant.repository';

interface LiveTenantRow {
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  created_at: Date;
}

interface ListedTenantRow extends LiveTenantRow {
  cursor_at: string;
  events_retention_days: number | null;
  webhook_deliveries_retention_days: number | null;
  deleted_assets_retention_days: number | null;
  sessions_retention_days: number | null;
  max_sessions_per_user: number | null;
  allowed_origins: string[] | null;
}

/** A tenant of the platform admin's listing, with its settings and exact keyset position. */
export interface ListedTenant {
  tenant: TenantEntity;
  settings: StoredTenantSettings;
  position: CursorPosition;
}

const LIVE_COLUMNS = 'id, slug, name, status, created_at';

/**
 * The SQL of a tenant's life after creation: renaming, suspending, deleting, and the platform
 * admins' listing. Changes run in the tenant's own transaction, under row-level security;
 * only the listing and the status lookup read across tenants (through `tenancy.list_tenants`
 * and `tenancy.tenant_statuses`).
 */
export class TenantLifecycleRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * The tenant unless it is deleted, locked until the transaction ends, so a rename, a status
   * change, a settings change and a deletion of one tenant never interleave.
   */
  async lockLive(tenantId: string): Promise<TenantEntity | null> {
    const rows: LiveTenantRow[] = await this.manager.query(
      `SELECT ${LIVE_COLUMNS} FROM tenancy.tenants
        WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
      [tenantId],
    );
    return rows[0] ? toTenant(rows[0]) : null;
  }

  /**
   * Renames a live tenant and journals `renamed` in one statement that also takes the
   * tenant's lock (so a rename holds it for as few round trips as it can), and answers the
   * name it replaced, which the event's payload gets as `previousName`. The inner CTE is
   * materialized and runs first: waiting for the lock, it reads the newest committed version
   * of the row, and the UPDATE then changes that version, so the previous name is the one just
   * before this rename even when renames race. Null when the tenant is not live or already has
   * this name (nothing changed, nothing is journaled).
   */
  async renameLocked(
    tenantId: string,
    name: string,
    renamed: PreparedEvent,
  ): Promise<{ tenant: TenantEntity; previousName: string } | null> {
    const row = await writeWithEvent<LiveTenantRow & { previous_name: string }>(
      this.manager,
      `WITH locked AS MATERIALIZED (
         SELECT id, name FROM tenancy.tenants WHERE id = $1 AND deleted_at IS NULL FOR UPDATE)
       UPDATE tenancy.tenants t SET name = $2 FROM locked
        WHERE t.id = locked.id AND locked.name <> $2
       RETURNING t.id, t.slug, t.name, t.status, t.created_at, locked.name AS previous_name`,
      [tenantId, name],
      renamed,
      { payloadFromRow: { previousName: 'previous_name' } },
    );
    return row ? { tenant: toTenant(row), previousName: row.previous_name } : null;
  }

  async setStatus(tenantId: string, status: TenantStatus): Promise<TenantEntity> {
    return this.updateOne(`status = $2`, [tenantId, status]);
  }

  async markDeleted(tenantId: string): Promise<void> {
    await this.updateOne(`deleted_at = now()`, [tenantId]);
  }

  /** The user's stored role in the tenant (in its transaction), null for non-members. */
  async memberRole(tenantId: string, userId: string): Promise<Role | null> {
    const rows: { role: Role }[] = await this.manager.query(
      `SELECT role FROM tenancy.memberships WHERE tenant_id = $1 AND user_id = $2`,
      [tenantId, userId],
    );
    return rows[0]?.role ?? null;
  }

  /** Whether the tenant row exists and is marked deleted; null when there is no row. */
  async isDeleted(tenantId: string): Promise<boolean | null> {
    const rows: { deleted: boolean }[] = await this.manager.query(
      `SELECT deleted_at IS NOT NULL AS deleted FROM tenancy.tenants WHERE id = $1`,
      [tenantId],
    );
    return rows[0] ? rows[0].deleted : null;
  }

  /** The status of each live tenant among `ids` (through `tenancy.tenant_statuses`). */
  statuses(ids: readonly string[]): Promise<{ id: string; status: TenantStatus }[]> {
    return this.manager.query(`SELECT id, status FROM tenancy.tenant_statuses($1::uuid[])`, [ids]);
  }

  /** One page of live tenants, newest first, strictly after `after` (see the listing migration). */
  async list(options: {
    status: TenantStatus | null;
    after: CursorPosition | null;
    limit: number;
  }): Promise<ListedTenant[]> {
    const rows: ListedTenantRow[] = await this.manager.query(
      `SELECT ${LIVE_COLUMNS}, cursor_at, events_retention_days,
              webhook_deliveries_retention_days, deleted_assets_retention_days,
              sessions_retention_days, max_sessions_per_user, allowed_origins
         FROM tenancy.list_tenants($1, $2::timestamptz, $3::uuid, $4)`,
      [options.status, options.after?.value ?? null, options.after?.id ?? null, options.limit],
    );
    return rows.map((row) => ({
      tenant: toTenant(row),
      settings: {
        eventsRetentionDays: row.events_retention_days,
        webhookDeliveriesRetentionDays: row.webhook_deliveries_retention_days,
        deletedAssetsRetentionDays: row.deleted_assets_retention_days,
        sessionsRetentionDays: row.sessions_retention_days,
        maxSessionsPerUser: row.max_sessions_per_user,
        allowedOrigins: row.allowed_origins ?? [],
      },
      position: { value: row.cursor_at, id: row.id },
    }));
  }

  private async updateOne(assignment: string, params: unknown[]): Promise<TenantEntity> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [LiveTenantRow[], number] = await this.manager.query(
      `UPDATE tenancy.tenants SET ${assignment} WHERE id = $1 RETURNING ${LIVE_COLUMNS}`,
      params,
    );
    if (!rows[0]) throw new Error(`tenant ${String(params[0])} vanished under its lock`);
    return toTenant(rows[0]);
  }
}

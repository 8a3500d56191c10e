import type { EntityManager } from 'typeorm';
import type { TenantStatus } from '../../../platform/contracts/tenancy/tenant-status-values';

/**
 * The worker's copy of tenants' statuses (jobs.tenant_statuses), kept from the journal's
 * `tenancy.tenant.status_changed` events: tenancy's own tables are not the jobs service's to
 * read. A tenant without a row never changed status, so it is active. Runs inside the tenant's
 * transaction (row-level security).
 */
export class TenantStatusRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Records the status an event set; an event older than the one recorded changes nothing. */
  async record(
    tenantId: string,
    status: TenantStatus,
    seq: string,
    changedAt: Date,
  ): Promise<void> {
    await this.manager.query(
      `INSERT INTO jobs.tenant_statuses (tenant_id, status, seq, changed_at)
       VALUES ($1, $2, $3::bigint, $4)
       ON CONFLICT (tenant_id) DO UPDATE
         SET status = excluded.status, seq = excluded.seq, changed_at = excluded.changed_at
         WHERE jobs.tenant_statuses.seq < excluded.seq`,
      [tenantId, status, seq, changedAt],
    );
  }

  /**
   * Whether the tenant is suspended. With `lock`, its row is share-locked until the
   * transaction ends, so a reinstatement recorded meanwhile waits for the caller's commit.
   */
  async isSuspended(tenantId: string, lock = false): Promise<boolean> {
    const rows = await this.manager.query<{ status: TenantStatus }[]>(
      `SELECT status FROM jobs.tenant_statuses WHERE tenant_id = $1${lock ? ' FOR SHARE' : ''}`,
      [tenantId],
    );
    return rows[0]?.status === 'SUSPENDED';
  }
}

import type { EntityManager } from 'typeorm';
import { TenantSettingsEntity } from '../entities/tenant-settings.entity';

/** A full set of overrides as stored: NULL (or an empty list) is the platform default. */
export interface StoredTenantSettings {
  eventsRetentionDays: number | null;
  webhookDeliveriesRetentionDays: number | null;
  deletedAssetsRetentionDays: number | null;
  sessionsRetentionDays: number | null;
  maxSessionsPerUser: number | null;
  allowedOrigins: string[];
}

/** Every SQL statement about tenant settings; all but the origin lookup under RLS. */
export class TenantSettingsRepository {
  constructor(private readonly manager: EntityManager) {}

  /** In the tenant's transaction; null when the tenant never changed a setting. */
  find(tenantId: string): Promise<TenantSettingsEntity | null> {
    return this.manager.findOneBy(TenantSettingsEntity, { tenantId });
  }

  /** Writes the whole row (primary key: one per tenant), in the tenant's transaction. */
  async save(tenantId: string, settings: StoredTenantSettings): Promise<TenantSettingsEntity> {
    await this.manager.query(
      `INSERT INTO tenancy.tenant_settings (tenant_id, events_retention_days,
         webhook_deliveries_retention_days, deleted_assets_retention_days,
         sessions_retention_days, max_sessions_per_user, allowed_origins)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id) DO UPDATE SET
         events_retention_days = excluded.events_retention_days,
         webhook_deliveries_retention_days = excluded.webhook_deliveries_retention_days,
         deleted_assets_retention_days = excluded.deleted_assets_retention_days,
         sessions_retention_days = excluded.sessions_retention_days,
         max_sessions_per_user = excluded.max_sessions_per_user,
         allowed_origins = excluded.allowed_origins,
         updated_at = now()`,
      [
        tenantId,
        settings.eventsRetentionDays,
        settings.webhookDeliveriesRetentionDays,
        settings.deletedAssetsRetentionDays,
        settings.sessionsRetentionDays,
        settings.maxSessionsPerUser,
        settings.allowedOrigins,
      ],
    );
    return (await this.find(tenantId))!;
  }

  /**
   * Allowed origins across tenants (the SECURITY DEFINER function of the tenant settings
   * migration), optionally of one tenant and/or only `origin` itself; sorted, distinct.
   */
  async allowedOrigins(filter: { tenantId?: string; origin?: string }): Promise<string[]> {
    const rows: { origin: string }[] = await this.manager.query(
      `SELECT origin FROM tenancy.allowed_origins($1, $2)`,
      [filter.tenantId ?? null, filter.origin ?? null],
    );
    return rows.map((row) => row.origin);
  }
}

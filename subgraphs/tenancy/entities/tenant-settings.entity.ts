import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A tenant's overrides of platform defaults (see platform/contracts/tenancy/tenant-settings.ts). NULL
 * means "the platform default"; a tenant that never changed a setting has no row.
 */
@Entity({ schema: 'tenancy', name: 'tenant_settings' })
export class TenantSettingsEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'events_retention_days', type: 'integer', nullable: true })
  eventsRetentionDays: number | null;

  @Column({ name: 'webhook_deliveries_retention_days', type: 'integer', nullable: true })
  webhookDeliveriesRetentionDays: number | null;

  @Column({ name: 'deleted_assets_retention_days', type: 'integer', nullable: true })
  deletedAssetsRetentionDays: number | null;

  @Column({ name: 'sessions_retention_days', type: 'integer', nullable: true })
  sessionsRetentionDays: number | null;

  @Column({ name: 'max_sessions_per_user', type: 'integer', nullable: true })
  maxSessionsPerUser: number | null;

  /** Exact browser origins (`https://app.example.com`), normalized, at most 50. */
  @Column({ name: 'allowed_origins', type: 'text', array: true, default: () => `'{}'` })
  allowedOrigins: string[];

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

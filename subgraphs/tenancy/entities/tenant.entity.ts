import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import {
  TENANT_STATUSES,
  type TenantStatus,
} from '../../../platform/contracts/tenancy/tenant-status-values';

// Shared with the gateway, which reads tenant statuses from the role lookup.
export { TENANT_STATUSES, type TenantStatus };

/** An organisation whose data is isolated from every other tenant's. */
@Entity({ schema: 'tenancy', name: 'tenants' })
export class TenantEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** URL-safe, unique, lower-case. */
  @Column({ type: 'text' })
  slug: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: 'ACTIVE' })
  status: TenantStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Set by deleteTenant; the tenant then reads as non-existent until the purge removes it. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}

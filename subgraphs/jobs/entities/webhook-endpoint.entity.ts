import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const WEBHOOK_STATUSES = ['PENDING_VERIFICATION', 'ACTIVE', 'PAUSED', 'DISABLED'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** A tenant's server that receives signed webhooks for the event types it chose. */
@Entity({ schema: 'jobs', name: 'webhook_endpoints' })
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'event_types', type: 'text', array: true })
  eventTypes: string[];

  @Column({ type: 'text', default: 'PENDING_VERIFICATION' })
  status: WebhookStatus;

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt: Date | null;

  @Column({ name: 'rate_limit_per_second', type: 'integer', nullable: true })
  rateLimitPerSecond: number | null;

  /** The signing secret (`whsec_…`), encrypted with the key ring under the endpoint's id. */
  @Column({ name: 'secret_ciphertext', type: 'text', select: false })
  secretCiphertext: string;

  /** The secret before the last rotation: it keeps signing until it expires. */
  @Column({ name: 'previous_secret_ciphertext', type: 'text', nullable: true, select: false })
  previousSecretCiphertext: string | null;

  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;

  /** When the current streak of failed attempts began (null after a success). */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  /** Why the delivery worker disabled the endpoint (410 Gone, failing for too long). */
  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

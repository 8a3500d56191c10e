import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One HTTP request of a delivery, as the tenant sees it in `WebhookDelivery.attempts`. */
@Entity({ schema: 'jobs', name: 'webhook_attempts' })
export class WebhookAttemptEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'delivery_id', type: 'uuid' })
  deliveryId: string;

  /** 1 for the first attempt of the delivery, counting across retries and manual retries. */
  @Column({ type: 'integer' })
  attempt: number;

  @Column({ name: 'attempted_at', type: 'timestamptz' })
  attemptedAt: Date;

  /** Null when no answer came (timeout, refused address, connection error). */
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** The answer's first 4 KiB. */
  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody: string | null;
}

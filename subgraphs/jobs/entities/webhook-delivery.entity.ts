import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'DEAD'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Where a delivery came from: the relay's fan-out, `replayEvents`, or `sendTestWebhook`. */
export const DELIVERY_ORIGINS = ['event', 'replay', 'test'] as const;
export type DeliveryOrigin = (typeof DELIVERY_ORIGINS)[number];

/** The made-up event a test delivery sends (it is not in the journal). */
export interface SyntheticEvent {
  type: string;
  payload: Record<string, unknown>;
  occurredAt: string;
}

/**
 * One event on its way to one endpoint. PENDING until the first attempt, FAILED while
 * retries remain, then SUCCEEDED or DEAD (and a dead letter).
 */
@Entity({ schema: 'jobs', name: 'webhook_deliveries' })
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId: string;

  /** The `webhook-id` header: the same on every attempt and every replay of the event. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  @Column({ type: 'text' })
  origin: DeliveryOrigin;

  @Column({ name: 'replay_id', type: 'uuid', nullable: true })
  replayId: string | null;

  @Column({ name: 'synthetic_event', type: 'jsonb', nullable: true })
  syntheticEvent: SyntheticEvent | null;

  @Column({ type: 'text', default: 'PENDING' })
  status: DeliveryStatus;

  /** The BullMQ job in charge of the delivery; any other job for it stands down. */
  @Column({ name: 'job_id', type: 'text' })
  jobId: string;

  @Column({ name: 'attempt_count', type: 'integer', default: 0 })
  attemptCount: number;

  @Column({ name: 'run_attempts', type: 'integer', default: 0 })
  runAttempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  /** Since when it waits for its suspended tenant to be reinstated (null: not held). */
  @Column({ name: 'held_since', type: 'timestamptz', nullable: true })
  heldSince: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

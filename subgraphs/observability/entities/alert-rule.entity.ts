import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const COMPARATORS = ['>', '>=', '<', '<=', '==', '!='] as const;

/**
 * A threshold on a metric that raises an alert once it has held for `forSeconds`. Owned by a
 * tenant, or by the platform (tenant NULL, managed by platform administrators).
 */
@Entity({ schema: 'observability', name: 'alert_rules' })
export class AlertRuleEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  metric: string;

  @Column({ type: 'text' })
  comparator: string;

  @Column({ type: 'double precision' })
  threshold: number;

  @Column({ name: 'for_seconds', type: 'integer' })
  forSeconds: number;

  @Column({ type: 'text' })
  severity: Severity;

  @Column({ type: 'text', array: true })
  channels: string[];

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Why the platform disabled the rule; null otherwise (cleared by the next update). */
  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

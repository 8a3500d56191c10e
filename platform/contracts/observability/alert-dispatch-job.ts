import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

export const ALERT_TRANSITIONS = ['fired', 'resolved'] as const;
export type AlertTransition = (typeof ALERT_TRANSITIONS)[number];

/**
 * One notification of an alert to one channel: what the worker's `dispatch-alert` job sends.
 * It carries what the message says (no secret: a webhook's secret is read when it is sent),
 * and the correlation fields every job has (tenant, request, actor) at the top level.
 */
export const alertDispatchJobSchema = z.object({
  notificationId: z.uuid(),
  /** null: a platform rule's alert. */
  tenantId: z.uuid().nullable(),
  requestId: z.string().min(1).max(128).nullable(),
  actor: z.object({ kind: z.literal('system'), id: z.null() }).nullable(),
  alertId: z.uuid(),
  ruleId: z.uuid(),
  ruleName: z.string(),
  severity: z.enum(['INFO', 'WARNING', 'CRITICAL']),
  transition: z.enum(ALERT_TRANSITIONS),
  /** The journal event of the transition (`observability.alert.fired` or `.resolved`). */
  eventId: z.uuid(),
  channel: z.string().min(1).max(300),
  message: z.string(),
  metric: z.string(),
  value: z.number().nullable(),
  firedAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export type AlertDispatchJob = z.infer<typeof alertDispatchJobSchema>;

/**
 * Each notification is retried with exponential backoff; after the last attempt the job stays
 * in the queue's failed set, where the dead-letter store records it. Never removed on failure
 * by count, so nothing disappears before it is recorded.
 */
export function alertDispatchJobOptions(attempts: number, backoffMs: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 14 * 24 * 3600 },
  };
}

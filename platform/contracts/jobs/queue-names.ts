/** Every BullMQ queue Tessera runs. */
export const QueueName = {
  MAINTENANCE: 'maintenance',
  /** Deleted tenants' rows, subgraph by subgraph: apart from maintenance so neither waits. */
  TENANT_PURGE: 'tenant-purge',
  /** The retention purges (platform/contracts/jobs/purge-targets.ts), one job scheduler per target. */
  RETENTION: 'retention',
  /** Alert rule evaluation (a job scheduler) and one job per alert notification. */
  ALERTS: 'alerts',
  /** One job per webhook delivery (endpoint × event), retried on its own schedule. */
  WEBHOOK_DELIVERY: 'webhook-delivery',
  /** Transactional mail from the durable outbox (mail.deliveries), one job per mail. */
  MAIL: 'mail',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Job names, one place for all of them. */
export const JobName = {
  PURGE_FINISHED_JOBS: 'purge-finished-jobs',
  PURGE_TENANT: 'purge-tenant',
  /** Rewrites stored secrets under the active key (platform/contracts/jobs/reencrypt-secrets-job.ts). */
  REENCRYPT_SECRETS: 'reencrypt-secrets',
  /** `{ target, runId? }`: one retention purge run (runId when `runPurge` recorded it). */
  RETENTION_PURGE: 'retention-purge',
  EVALUATE_ALERTS: 'evaluate-alerts',
  DISPATCH_ALERT: 'dispatch-alert',
  DELIVER_WEBHOOK: 'deliver-webhook',
  /** A verified database backup (queue `maintenance`, scheduled by BACKUP_CRON). */
  DATABASE_BACKUP: 'database-backup',
  /** Hands the durable mail outbox's pending mails to the `mail` queue (a job scheduler). */
  DRAIN_MAIL: 'drain-mail',
  /** `{ deliveryId }`: sends one mail of the durable outbox over SMTP. */
  SEND_MAIL: 'send-mail',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);

import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { correlatedJobData } from '../../../../platform/contracts/jobs/job-correlation';
import { JobName } from '../../../../platform/contracts/jobs/queue-names';
import type { BackupConfig } from './backup-config';
import { createBackupMetrics } from './backup-metrics';
import { newestVerifiedBackup, runBackup, type BackupSettings } from './backup-run';

/** The maintenance queue's job scheduler for backups. */
export const BACKUP_SCHEDULER_ID = JobName.DATABASE_BACKUP;

export interface BackupJobs {
  processors: Record<string, (job: Job) => Promise<unknown>>;
  /** Upserts the scheduler when BACKUP_CRON is set, and removes it when it is not. */
  schedule(queue: Queue): Promise<void>;
}

/**
 * The `database-backup` job: with BACKUP_CRON set, a BullMQ job scheduler on `maintenance`
 * makes one job per tick (whichever worker takes it runs it), and this worker's metrics start
 * from the newest verified backup already in BACKUP_DIR, so a restart does not look like a
 * missed backup.
 */
export async function setupBackupJobs(deps: {
  config: BackupConfig;
  logger: Logger;
  registry: Registry;
  /** Off by default everywhere; in production, running without backups is worth a warning. */
  production?: boolean;
}): Promise<BackupJobs> {
  const { config, logger } = deps;
  const cron = config.BACKUP_CRON;
  if (!cron || !config.BACKUP_DATABASE_URL) {
    if (deps.production) {
      logger.warn(
        'database backups are not scheduled (BACKUP_CRON is unset): schedule them here or ' +
          'with the CronJob of docs/backup-and-restore.md',
      );
    }
    return {
      processors: {},
      schedule: async (queue) => {
        await queue.removeJobScheduler(BACKUP_SCHEDULER_ID);
      },
    };
  }
  const metrics = createBackupMetrics(deps.registry);
  const newest = await newestVerifiedBackup(config.BACKUP_DIR);
  metrics.lastSuccess.set(newest ? newest.mtimeMs / 1000 : 0);
  metrics.verified.set(newest ? 1 : 0);
  const settings: BackupSettings = {
    databaseUrl: config.BACKUP_DATABASE_URL,
    dir: config.BACKUP_DIR,
    keep: config.BACKUP_KEEP,
    binDir: config.BACKUP_PG_BIN_DIR,
    timeoutMs: config.BACKUP_TIMEOUT_SECONDS * 1000,
  };
  return {
    processors: { [JobName.DATABASE_BACKUP]: () => runBackup(settings, metrics, logger) },
    schedule: async (queue) => {
      await queue.upsertJobScheduler(
        BACKUP_SCHEDULER_ID,
        { pattern: cron, tz: config.BACKUP_TZ },
        {
          name: JobName.DATABASE_BACKUP,
          data: correlatedJobData({}, { tenantId: null, requestId: null }),
          // A failed run is in the metrics and the logs; the next tick tries again.
          opts: { attempts: 1 },
        },
      );
    },
  };
}

import type { Queue } from 'bullmq';
import { correlatedJobData } from '../../../platform/contracts/jobs/job-correlation';
import { JobName } from '../../../platform/contracts/jobs/queue-names';
import { PURGE_TARGET_SPECS, PURGE_TARGETS } from '../../../platform/contracts/jobs/purge-targets';
import {
  retentionSchedulerId,
  type RetentionPurgeJob,
} from '../../../platform/contracts/jobs/retention-purge-job';

/**
 * One BullMQ job scheduler per retention purge target on the `retention` queue, every
 * `everyMs` (finished jobs keep their schedule on `maintenance`). Upserting is idempotent, so
 * every worker process does it at start; schedulers of targets that no longer exist go.
 */
export async function scheduleRetentionPurges(queue: Queue, everyMs: number): Promise<string[]> {
  const targets = PURGE_TARGETS.filter((target) => PURGE_TARGET_SPECS[target].owner !== 'worker');
  const wanted = new Set(targets.map(retentionSchedulerId));
  for (const scheduler of await queue.getJobSchedulers()) {
    if (!wanted.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
  }
  for (const target of targets) {
    const data: RetentionPurgeJob = { target };
    await queue.upsertJobScheduler(
      retentionSchedulerId(target),
      { every: everyMs },
      {
        name: JobName.RETENTION_PURGE,
        data: correlatedJobData({ ...data }, { tenantId: null, requestId: null }),
        opts: { attempts: 1 },
      },
    );
  }
  return [...wanted];
}

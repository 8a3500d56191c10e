import type { DataSource } from 'typeorm';
import { ValidationError } from '../../../platform/errors/domain-errors';
import { correlatedJobData } from '../../../platform/contracts/jobs/job-correlation';
import { JobName, QueueName } from '../../../platform/contracts/jobs/queue-names';
import { parsePurgeTarget } from '../../../platform/contracts/jobs/purge-targets';
import { type RetentionPurgeJob } from '../../../platform/contracts/jobs/retention-purge-job';
import type { JobQueues } from '../admin/job-queues';
import { PurgeRunRepository, type PurgeRunRecord } from '../repositories/purge-run.repository';

export const DEFAULT_PURGE_RUNS = 20;
export const MAX_PURGE_RUNS = 100;

/**
 * Retention purge runs for platform administrators: the latest ones, and a run of one target
 * now. The run is recorded at once (unfinished) and carried out by the worker.
 */
export class PurgeRunService {
  constructor(
    private readonly queues: JobQueues,
    private readonly dataSource: DataSource,
  ) {}

  latest(first: number | null | undefined): Promise<PurgeRunRecord[]> {
    const limit = first ?? DEFAULT_PURGE_RUNS;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PURGE_RUNS) {
      throw new ValidationError(`first must be between 1 and ${MAX_PURGE_RUNS}`, {
        field: 'first',
      });
    }
    return new PurgeRunRepository(this.dataSource.manager).latest(limit);
  }

  async run(rawTarget: string, requestedBy: string | null): Promise<PurgeRunRecord> {
    const target = parsePurgeTarget(rawTarget);
    const runs = new PurgeRunRepository(this.dataSource.manager);
    const run = await runs.create({ target, trigger: 'manual', requestedBy });
    const data: RetentionPurgeJob = { target, runId: run.id };
    try {
      await this.queues
        .get(QueueName.RETENTION)
        .add(JobName.RETENTION_PURGE, correlatedJobData({ ...data }, { tenantId: null }), {
          jobId: `purge-run-${run.id}`,
          attempts: 1,
        });
    } catch (error) {
      // No run may stay unfinished for ever: this one ends before it began.
      await runs.finish(run.id, { deleted: 0, error: 'the run could not be enqueued' });
      throw error;
    }
    return run;
  }
}

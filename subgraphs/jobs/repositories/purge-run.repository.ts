import type { EntityManager } from 'typeorm';
import type { PurgeTarget } from '../../../platform/contracts/jobs/purge-targets';

export type PurgeTrigger = 'schedule' | 'manual';

/** One retention purge run (jobs.purge_runs, platform rows: no tenant). */
export interface PurgeRunRecord {
  id: string;
  target: PurgeTarget;
  trigger: PurgeTrigger;
  requestedBy: string | null;
  deleted: number;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
}

const COLUMNS = `id, target, trigger, requested_by AS "requestedBy", deleted,
  started_at AS "startedAt", finished_at AS "finishedAt", error`;

/** Longest error text kept on a run (the CHECK allows 2000). */
const MAX_ERROR_LENGTH = 2_000;

/** The SQL of purge runs: recorded by `runPurge` and the worker, listed by `purgeRuns`. */
export class PurgeRunRepository {
  constructor(private readonly manager: EntityManager) {}

  async create(run: {
    target: PurgeTarget;
    trigger: PurgeTrigger;
    requestedBy: string | null;
  }): Promise<PurgeRunRecord> {
    const rows: PurgeRunRecord[] = await this.manager.query(
      `INSERT INTO jobs.purge_runs (target, trigger, requested_by) VALUES ($1, $2, $3)
       RETURNING ${COLUMNS}`,
      [run.target, run.trigger, run.requestedBy],
    );
    return rows[0]!;
  }

  /** The run begins now (a manual run waited in the queue since it was asked for). */
  async start(id: string): Promise<void> {
    await this.manager.query(
      `UPDATE jobs.purge_runs SET started_at = now() WHERE id = $1 AND finished_at IS NULL`,
      [id],
    );
  }

  async finish(id: string, outcome: { deleted: number; error: string | null }): Promise<void> {
    await this.manager.query(
      `UPDATE jobs.purge_runs SET deleted = $2, error = $3, finished_at = greatest(now(), started_at)
        WHERE id = $1`,
      [
        id,
        Math.min(outcome.deleted, 2 ** 31 - 1),
        outcome.error?.slice(0, MAX_ERROR_LENGTH) ?? null,
      ],
    );
  }

  latest(limit: number): Promise<PurgeRunRecord[]> {
    return this.manager.query(
      `SELECT ${COLUMNS} FROM jobs.purge_runs ORDER BY started_at DESC, id DESC LIMIT $1`,
      [limit],
    );
  }
}

import type { EntityManager } from 'typeorm';
import type { CursorPosition } from '../../../platform/graphql/pagination';

/** One row of jobs.dead_letters: a job that failed for good, as the admin API reads it. */
export interface DeadLetterRecord {
  id: string;
  tenantId: string | null;
  queue: string;
  jobId: string;
  jobName: string;
  reason: string;
  data: Record<string, unknown>;
  requestId: string | null;
  attemptsMade: number;
  failedAt: Date;
  replayedAt: Date | null;
  replayedJobId: string | null;
  /** failed_at to the microsecond, for the keyset cursor (a Date keeps milliseconds). */
  cursorAt: string;
}

const COLUMNS = `d.id, d.tenant_id AS "tenantId", d.queue, d.job_id AS "jobId",
  d.job_name AS "jobName", d.reason, d.data, d.request_id AS "requestId",
  d.attempts_made AS "attemptsMade", d.failed_at AS "failedAt", d.replayed_at AS "replayedAt",
  d.replayed_job_id AS "replayedJobId",
  to_char(d.failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"`;

/** A dead letter as stored: `data` is already redacted and bounded JSON. */
export interface DeadLetterRow {
  tenantId: string | null;
  queue: string;
  jobId: string;
  jobName: string;
  reason: string;
  dataJson: string;
  requestId: string | null;
  /** Null: not known (stored as 0). */
  attemptsMade: number | null;
  /** Null: now. */
  failedAt: Date | null;
}

/**
 * The dead-letter store's SQL (dead-letters/dead-letter-sink.ts prepares what is written).
 * Inside a tenant's transaction row-level security shows that tenant's dead letters; inside
 * one with no tenant, the platform's (tenant NULL). Platform admins page across both through
 * `jobs.admin_dead_letters`.
 */
export class DeadLetterRepository {
  constructor(private readonly manager: EntityManager) {}

  /** One keyset page of the transaction's scope, newest first. */
  page(options: {
    queue: string | null;
    after: CursorPosition | null;
    limit: number;
  }): Promise<DeadLetterRecord[]> {
    return this.manager.query(
      `SELECT ${COLUMNS} FROM jobs.dead_letters d
        WHERE ($1::text IS NULL OR d.queue = $1)
          AND ($2::timestamptz IS NULL OR (d.failed_at, d.id) < ($2::timestamptz, $3::uuid))
        ORDER BY d.failed_at DESC, d.id DESC LIMIT $4`,
      [options.queue, options.after?.value ?? null, options.after?.id ?? null, options.limit],
    );
  }

  /** Every scope's dead letters, or one tenant's, for platform administrators. */
  pageAcrossTenants(options: {
    queue: string | null;
    tenantId: string | null;
    after: CursorPosition | null;
    limit: number;
  }): Promise<DeadLetterRecord[]> {
    return this.manager.query(
      `SELECT ${COLUMNS} FROM jobs.admin_dead_letters($1, $2::uuid, $3::timestamptz, $4::uuid, $5) d`,
      [
        options.queue,
        options.tenantId,
        options.after?.value ?? null,
        options.after?.id ?? null,
        options.limit,
      ],
    );
  }

  /** Whether the dead letter exists, and whose: `{ tenantId }` (null: a platform job). */
  async scopeOf(id: string): Promise<{ tenantId: string | null } | null> {
    const rows: { tenant_id: string | null }[] = await this.manager.query(
      `SELECT tenant_id FROM jobs.dead_letter_scope($1)`,
      [id],
    );
    return rows[0] ? { tenantId: rows[0].tenant_id } : null;
  }

  /** The dead letter, locked until the transaction ends (two replays never both run). */
  async lock(id: string): Promise<DeadLetterRecord | null> {
    const rows: DeadLetterRecord[] = await this.manager.query(
      `SELECT ${COLUMNS} FROM jobs.dead_letters d WHERE d.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Whether this failure of the job already has its dead letter: one still open (not
   * replayed), or one recorded at or after `failedAt`. A job retried by `retryJob` closed its
   * dead letter, so failing again is a new one.
   */
  async recorded(queue: string, jobId: string, failedAt: Date): Promise<boolean> {
    const rows: unknown[] = await this.manager.query(
      `SELECT 1 FROM jobs.dead_letters
        WHERE queue = $1 AND job_id = $2 AND (replayed_at IS NULL OR failed_at >= $3)
        LIMIT 1`,
      [queue, jobId, failedAt],
    );
    return rows.length > 0;
  }

  /** Marks the dead letter replayed, by the job now doing its work. */
  async markReplayed(id: string, jobId: string): Promise<Date> {
    const [rows]: [{ replayed_at: Date }[], number] = await this.manager.query(
      `UPDATE jobs.dead_letters SET replayed_at = now(), replayed_job_id = $2 WHERE id = $1
       RETURNING replayed_at`,
      [id, jobId],
    );
    return rows[0]!.replayed_at;
  }

  /** A retried job closes its own dead letter: a new failure is a new dead letter. */
  async closeForJob(queue: string, jobId: string): Promise<number> {
    const [, count]: [unknown, number] = await this.manager.query(
      `UPDATE jobs.dead_letters SET replayed_at = now(), replayed_job_id = job_id
        WHERE queue = $1 AND job_id = $2 AND replayed_at IS NULL`,
      [queue, jobId],
    );
    return count;
  }

  /**
   * Serializes recording one job's dead letter until the transaction ends: the job watcher
   * and the job's own handler may both see the same failure, and it must be recorded once.
   */
  async lockJob(queue: string, jobId: string): Promise<void> {
    await this.manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `dead-letter:${queue}:${jobId}`,
    ]);
  }

  /** Writes one dead letter and returns its id. */
  async insert(row: DeadLetterRow): Promise<string> {
    const rows: { id: string }[] = await this.manager.query(
      `INSERT INTO jobs.dead_letters
         (tenant_id, queue, job_id, job_name, reason, data, request_id, attempts_made, failed_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, coalesce($8, 0),
               coalesce($9::timestamptz, now()))
       RETURNING id`,
      [
        row.tenantId,
        row.queue,
        row.jobId,
        row.jobName,
        row.reason,
        row.dataJson,
        row.requestId,
        row.attemptsMade,
        row.failedAt,
      ],
    );
    return rows[0]!.id;
  }
}

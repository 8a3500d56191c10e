import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp, grantTableToApp } from '../../../platform/db/migration-helpers';
import { PURGE_TARGETS } from '../../../platform/contracts/jobs/purge-targets';

const FUNCTIONS = [
  'jobs.admin_dead_letters(text, uuid, timestamptz, uuid, integer)',
  'jobs.dead_letter_scope(uuid)',
];

/**
 * The jobs admin's tables and lookups:
 * - `jobs.purge_runs`: one row per retention purge run (scheduled or `runPurge`), with what it
 *   deleted and how it ended. Platform rows: no tenant, no row-level security.
 * - On `jobs.dead_letters`: how many attempts the job made, the job a replay enqueued, and an
 *   index to find a job's open dead letter (the watcher records each failure once).
 * - Platform administrators read dead letters across tenants, which row-level security would
 *   hide, through two SECURITY DEFINER functions: a keyset page (`admin_dead_letters`) and
 *   the scope (tenant, or NULL for platform jobs) of one dead letter (`dead_letter_scope`),
 *   whose replay then runs in that scope like a tenant admin's.
 */
export class CreatePurgeRuns1764028873000 implements MigrationInterface {
  name = 'CreatePurgeRuns1764028873000';

  async up(runner: QueryRunner): Promise<void> {
    const targets = PURGE_TARGETS.map((target) => `'${target}'`).join(', ');
    await runner.query(`
      CREATE TABLE jobs.purge_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        target text NOT NULL CHECK (target IN (${targets})),
        trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
        -- The platform administrator who asked for a manual run.
        requested_by uuid,
        deleted integer NOT NULL DEFAULT 0 CHECK (deleted >= 0),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        error text CHECK (length(error) <= 2000),
        CONSTRAINT purge_runs_finish_order_check CHECK (finished_at IS NULL OR finished_at >= started_at),
        CONSTRAINT purge_runs_error_finished_check CHECK (error IS NULL OR finished_at IS NOT NULL)
      )`);
    // purgeRuns(first): newest first.
    await runner.query(
      `CREATE INDEX purge_runs_started_idx ON jobs.purge_runs (started_at DESC, id DESC)`,
    );
    await grantTableToApp(runner, 'jobs.purge_runs', 'SELECT, INSERT, UPDATE');

    await runner.query(`
      ALTER TABLE jobs.dead_letters
        ADD COLUMN attempts_made integer NOT NULL DEFAULT 0 CHECK (attempts_made >= 0),
        ADD COLUMN replayed_job_id text CHECK (length(replayed_job_id) <= 200),
        ADD CONSTRAINT dead_letters_replayed_check
          CHECK (replayed_job_id IS NULL OR replayed_at IS NOT NULL)`);
    // The watcher's "is this failure recorded?", and retryJob closing a job's dead letter.
    await runner.query(`CREATE INDEX dead_letters_job_idx ON jobs.dead_letters (queue, job_id)`);

    await runner.query(`
      CREATE FUNCTION jobs.admin_dead_letters(
        queue_filter text,
        tenant_filter uuid,
        after_failed timestamptz,
        after_id uuid,
        max_rows integer
      )
      RETURNS TABLE (
        id uuid, tenant_id uuid, queue text, job_id text, job_name text, reason text,
        data jsonb, request_id text, attempts_made integer, failed_at timestamptz,
        replayed_at timestamptz, replayed_job_id text, cursor_at text
      )
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, jobs, pg_temp
      AS $$
        SELECT d.id, d.tenant_id, d.queue, d.job_id, d.job_name, d.reason, d.data, d.request_id,
               d.attempts_made, d.failed_at, d.replayed_at, d.replayed_job_id,
               to_char(d.failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
          FROM jobs.dead_letters d
         WHERE (queue_filter IS NULL OR d.queue = queue_filter)
           AND (tenant_filter IS NULL OR d.tenant_id = tenant_filter)
           AND (after_failed IS NULL OR (d.failed_at, d.id) < (after_failed, after_id))
         ORDER BY d.failed_at DESC, d.id DESC
         LIMIT least(greatest(max_rows, 0), 101)
      $$`);
    await runner.query(`
      CREATE FUNCTION jobs.dead_letter_scope(dead_letter uuid)
      RETURNS TABLE (tenant_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, jobs, pg_temp
      AS $$
        SELECT d.tenant_id FROM jobs.dead_letters d WHERE d.id = dead_letter
      $$`);
    for (const signature of FUNCTIONS) {
      await grantFunctionToApp(runner, signature, ['jobs']);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const signature of [...FUNCTIONS].reverse()) {
      await runner.query(`DROP FUNCTION ${signature}`);
    }
    await runner.query(`DROP INDEX jobs.dead_letters_job_idx`);
    await runner.query(`
      ALTER TABLE jobs.dead_letters
        DROP CONSTRAINT dead_letters_replayed_check,
        DROP COLUMN replayed_job_id,
        DROP COLUMN attempts_made`);
    await runner.query(`DROP TABLE jobs.purge_runs`);
  }
}

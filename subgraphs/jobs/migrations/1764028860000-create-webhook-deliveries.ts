import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  CURRENT_TENANT_SQL,
  enableTenantIsolation,
  grantFunctionToApp,
  grantTableToApp,
  requireRowLevelSecurityBypass,
} from '../../../platform/db/migration-helpers';

const ACTIVE_TENANTS = 'jobs.active_webhook_tenants(uuid[])';

/**
 * Webhook delivery: the endpoint's encrypted signing secrets and failure streak, one row per
 * delivery (endpoint × event, or a replay or test of one) with its attempt log, and the
 * dead-letter store every queue writes to after a job's last attempt.
 */
export class CreateWebhookDeliveries1764028860000 implements MigrationInterface {
  name = 'CreateWebhookDeliveries1764028860000';

  async up(runner: QueryRunner): Promise<void> {
    await this.extendEndpointsAndCreateDeliveries(runner);
    await this.createAttemptsAndDeadLetters(runner);
    await this.isolateTenants(runner);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ${ACTIVE_TENANTS}`);
    await runner.query(`DROP TABLE jobs.dead_letters`);
    await runner.query(`DROP TABLE jobs.webhook_attempts`);
    await runner.query(`DROP TABLE jobs.webhook_deliveries`);
    await runner.query(`DROP INDEX jobs.webhook_endpoints_tenant_status_idx`);
    await runner.query(`
      ALTER TABLE jobs.webhook_endpoints
        DROP CONSTRAINT webhook_endpoints_previous_secret_check,
        DROP COLUMN updated_at,
        DROP COLUMN disabled_reason,
        DROP COLUMN failing_since,
        DROP COLUMN previous_secret_expires_at,
        DROP COLUMN previous_secret_ciphertext,
        DROP COLUMN secret_ciphertext`);
  }

  private async extendEndpointsAndCreateDeliveries(runner: QueryRunner): Promise<void> {
    // No endpoint could be created before this migration (no mutation served it), so the
    // secret can be required at once.
    await runner.query(`
      ALTER TABLE jobs.webhook_endpoints
        ADD COLUMN secret_ciphertext text NOT NULL,
        ADD COLUMN previous_secret_ciphertext text,
        ADD COLUMN previous_secret_expires_at timestamptz,
        ADD COLUMN failing_since timestamptz,
        ADD COLUMN disabled_reason text CHECK (length(disabled_reason) <= 500),
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
        ADD CONSTRAINT webhook_endpoints_previous_secret_check
          CHECK ((previous_secret_ciphertext IS NULL) = (previous_secret_expires_at IS NULL))`);
    // The fan-out reads a tenant's active endpoints for every batch of events.
    await runner.query(
      `CREATE INDEX webhook_endpoints_tenant_status_idx ON jobs.webhook_endpoints (tenant_id, status)`,
    );

    await runner.query(`
      CREATE TABLE jobs.webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        endpoint_id uuid NOT NULL REFERENCES jobs.webhook_endpoints (id) ON DELETE CASCADE,
        -- The journal event (events.events, another owner: no foreign key, the journal is
        -- purged on its own schedule), or the synthetic event of a test delivery.
        event_id uuid NOT NULL,
        event_type text NOT NULL CHECK (length(event_type) <= 128),
        origin text NOT NULL CHECK (origin IN ('event', 'replay', 'test')),
        -- One replayEvents call: its deliveries share it. NULL for the first delivery.
        replay_id uuid CHECK ((replay_id IS NULL) = (origin <> 'replay')),
        synthetic_event jsonb CHECK ((synthetic_event IS NULL) = (origin <> 'test')),
        status text NOT NULL DEFAULT 'PENDING'
          CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'DEAD')),
        -- The BullMQ job that owns the delivery now; any other job for it stands down.
        job_id text NOT NULL CHECK (length(job_id) <= 200),
        attempt_count integer NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
        -- Attempts since the delivery was (re)started: the position in the retry schedule.
        run_attempts integer NOT NULL DEFAULT 0 CHECK (run_attempts >= 0),
        next_attempt_at timestamptz,
        last_attempt_at timestamptz,
        finished_at timestamptz,
        request_id text CHECK (length(request_id) <= 128),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_once UNIQUE NULLS NOT DISTINCT (endpoint_id, event_id, replay_id)
      )`);
    // WebhookEndpoint.deliveries, newest first, with and without a status filter.
    await runner.query(
      `CREATE INDEX webhook_deliveries_endpoint_created_idx ON jobs.webhook_deliveries (endpoint_id, created_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX webhook_deliveries_endpoint_status_idx ON jobs.webhook_deliveries (endpoint_id, status, created_at DESC, id DESC)`,
    );
    // Tenant purge and retention purge (per-tenant retention of deliveries).
    await runner.query(
      `CREATE INDEX webhook_deliveries_tenant_created_idx ON jobs.webhook_deliveries (tenant_id, created_at)`,
    );
  }

  private async createAttemptsAndDeadLetters(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE jobs.webhook_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        delivery_id uuid NOT NULL REFERENCES jobs.webhook_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL CHECK (attempt > 0),
        attempted_at timestamptz NOT NULL DEFAULT now(),
        status_code integer CHECK (status_code BETWEEN 100 AND 999),
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        error text CHECK (length(error) <= 1000),
        -- The first 4 KiB of the answer, for the tenant to see what their server said.
        response_body text CHECK (length(response_body) <= 4096),
        CONSTRAINT webhook_attempts_once UNIQUE (delivery_id, attempt)
      )`);
    await runner.query(
      `CREATE INDEX webhook_attempts_tenant_idx ON jobs.webhook_attempts (tenant_id, attempted_at)`,
    );

    // Written by every queue's last failure (see dead-letters/dead-letter-sink.ts). Platform
    // jobs (no tenant) have tenant_id NULL and are visible only without a tenant set.
    await runner.query(`
      CREATE TABLE jobs.dead_letters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid,
        queue text NOT NULL CHECK (length(queue) <= 100),
        job_id text NOT NULL CHECK (length(job_id) <= 200),
        job_name text NOT NULL CHECK (length(job_name) <= 100),
        reason text NOT NULL CHECK (length(reason) <= 2000),
        -- The job's data with sensitive fields removed.
        data jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(data) = 'object'),
        request_id text CHECK (length(request_id) <= 128),
        failed_at timestamptz NOT NULL DEFAULT now(),
        replayed_at timestamptz
      )`);
    await runner.query(
      `CREATE INDEX dead_letters_tenant_failed_idx ON jobs.dead_letters (tenant_id, failed_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX dead_letters_queue_failed_idx ON jobs.dead_letters (queue, failed_at DESC, id DESC)`,
    );

    // The relay's fan-out asks, once per batch, which of the batch's tenants have an ACTIVE
    // endpoint at all, so it opens a tenant transaction only for those. Row-level security
    // hides other tenants' rows from the worker's role, hence a SECURITY DEFINER function owned by
    // the migration role (which bypasses RLS) answering tenant ids only.
    await requireRowLevelSecurityBypass(runner, 'jobs.active_webhook_tenants');
    await runner.query(`
      CREATE FUNCTION jobs.active_webhook_tenants(tenants uuid[])
      RETURNS TABLE (tenant_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $$
        SELECT DISTINCT e.tenant_id FROM jobs.webhook_endpoints e
         WHERE e.tenant_id = ANY(tenants) AND e.status = 'ACTIVE'
      $$`);
    // The fan-out runs in the worker; the jobs API never asks.
    await grantFunctionToApp(runner, ACTIVE_TENANTS, ['worker']);
  }

  private async isolateTenants(runner: QueryRunner): Promise<void> {
    for (const table of ['jobs.webhook_deliveries', 'jobs.webhook_attempts']) {
      await grantTableToApp(runner, table);
      await enableTenantIsolation(runner, table);
    }
    await grantTableToApp(runner, 'jobs.dead_letters');
    const visible = `tenant_id = ${CURRENT_TENANT_SQL}
                     OR (tenant_id IS NULL AND ${CURRENT_TENANT_SQL} IS NULL)`;
    await runner.query(`ALTER TABLE jobs.dead_letters ENABLE ROW LEVEL SECURITY`);
    await runner.query(`ALTER TABLE jobs.dead_letters FORCE ROW LEVEL SECURITY`);
    await runner.query(
      `CREATE POLICY tenant_isolation ON jobs.dead_letters USING (${visible}) WITH CHECK (${visible})`,
    );
  }
}

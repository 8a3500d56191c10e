import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation, grantTableToApp } from '../../../platform/db/migration-helpers';

/**
 * A suspended tenant's webhook deliveries wait until it is reinstated. The worker must know a
 * tenant's status without reading tenancy's tables, so it keeps its own copy, fed by the
 * journal's `tenancy.tenant.status_changed` events as the relay hands them over: the latest
 * status of every tenant whose status ever changed, with the seq of the event that set it (a
 * batch handed over twice never sets an older status). A delivery that comes due meanwhile is
 * put back and marked `held_since`, so reinstatement finds exactly the held ones (the partial
 * index) and sends them at once.
 *
 * The copy starts from the journal as it is now: a tenant suspended before its own status
 * event was purged (older than its events retention) is not known as suspended here.
 */
export class HoldSuspendedTenantDeliveries1765006000100 implements MigrationInterface {
  name = 'HoldSuspendedTenantDeliveries1765006000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE jobs.tenant_statuses (
        tenant_id uuid PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED')),
        -- The seq of the journal event that set it.
        seq bigint NOT NULL CHECK (seq > 0),
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await grantTableToApp(runner, 'jobs.tenant_statuses');
    await enableTenantIsolation(runner, 'jobs.tenant_statuses');
    await runner.query(`
      INSERT INTO jobs.tenant_statuses (tenant_id, status, seq, changed_at)
      SELECT DISTINCT ON (e.tenant_id) e.tenant_id, e.payload->>'to', e.seq, e.occurred_at
        FROM events.events e
       WHERE e.type = 'tenancy.tenant.status_changed' AND e.tenant_id IS NOT NULL
         AND e.payload->>'to' IN ('ACTIVE', 'SUSPENDED')
       ORDER BY e.tenant_id, e.seq DESC`);

    await runner.query(`ALTER TABLE jobs.webhook_deliveries ADD COLUMN held_since timestamptz`);
    await runner.query(
      `CREATE INDEX webhook_deliveries_held_idx ON jobs.webhook_deliveries (tenant_id) WHERE held_since IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX jobs.webhook_deliveries_held_idx`);
    await runner.query(`ALTER TABLE jobs.webhook_deliveries DROP COLUMN held_since`);
    await runner.query(`DROP TABLE jobs.tenant_statuses`);
  }
}

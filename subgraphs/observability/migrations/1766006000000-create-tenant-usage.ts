import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation, grantTableToApp } from '../../../platform/db/migration-helpers';

/**
 * One row per tenant and UTC day: requests, operations by type, response bytes, webhook
 * deliveries and peak live subscriptions, added to by the gateways' usage reports (every few
 * seconds, never per request), under the tenant's row-level security. Rows go only with
 * their tenant (the tenant purge).
 */
export class CreateTenantUsage1766006000000 implements MigrationInterface {
  name = 'CreateTenantUsage1766006000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE observability.tenant_usage_daily (
        tenant_id uuid NOT NULL,
        day date NOT NULL,
        requests bigint NOT NULL DEFAULT 0 CHECK (requests >= 0),
        queries bigint NOT NULL DEFAULT 0 CHECK (queries >= 0),
        mutations bigint NOT NULL DEFAULT 0 CHECK (mutations >= 0),
        subscriptions bigint NOT NULL DEFAULT 0 CHECK (subscriptions >= 0),
        response_bytes bigint NOT NULL DEFAULT 0 CHECK (response_bytes >= 0),
        webhook_deliveries bigint NOT NULL DEFAULT 0 CHECK (webhook_deliveries >= 0),
        peak_subscriptions bigint NOT NULL DEFAULT 0 CHECK (peak_subscriptions >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, day)
      )`);
    await grantTableToApp(runner, 'observability.tenant_usage_daily');
    await enableTenantIsolation(runner, 'observability.tenant_usage_daily');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE observability.tenant_usage_daily`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A tenant's daily usage also keeps the most bytes its assets held that day. */
export class AddTenantStorageUsage1766008000000 implements MigrationInterface {
  name = 'AddTenantStorageUsage1766008000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE observability.tenant_usage_daily
        ADD COLUMN storage_bytes bigint NOT NULL DEFAULT 0 CHECK (storage_bytes >= 0)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE observability.tenant_usage_daily DROP COLUMN storage_bytes`);
  }
}

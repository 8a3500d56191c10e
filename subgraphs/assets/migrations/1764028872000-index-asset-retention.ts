import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The retention purges find a tenant's soft-deleted assets by deletion time and its uploads
 * that never completed by creation time; both indexes hold only those rows.
 */
export class IndexAssetRetention1764028872000 implements MigrationInterface {
  name = 'IndexAssetRetention1764028872000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX assets_tenant_deleted_idx ON assets.assets (tenant_id, deleted_at)
        WHERE status = 'DELETED'`,
    );
    await runner.query(
      `CREATE INDEX assets_tenant_pending_idx ON assets.assets (tenant_id, created_at)
        WHERE status = 'PENDING'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX assets.assets_tenant_pending_idx`);
    await runner.query(`DROP INDEX assets.assets_tenant_deleted_idx`);
  }
}

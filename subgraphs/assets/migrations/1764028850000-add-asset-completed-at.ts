import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When an upload was verified: what restoreAsset needs to tell READY from PENDING. */
export class AddAssetCompletedAt1764028850000 implements MigrationInterface {
  name = 'AddAssetCompletedAt1764028850000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE assets.assets ADD COLUMN completed_at timestamptz(3)`);
    await runner.query(
      `UPDATE assets.assets SET completed_at = updated_at WHERE status = 'READY' AND completed_at IS NULL`,
    );
    await runner.query(
      `ALTER TABLE assets.assets ADD CONSTRAINT assets_ready_completed_check
         CHECK (status <> 'READY' OR completed_at IS NOT NULL)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE assets.assets DROP COLUMN completed_at`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the other listing filters and orders: tags (`@>`, GIN), content type, and the
 * NAME_ASC and SIZE_DESC keyset orders (tenant first, id as the tie-breaker).
 */
export class IndexAssetFilters1764028852000 implements MigrationInterface {
  name = 'IndexAssetFilters1764028852000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX assets_tags_idx ON assets.assets USING gin (tags)`);
    await runner.query(
      `CREATE INDEX assets_tenant_content_type_idx ON assets.assets (tenant_id, content_type)`,
    );
    await runner.query(
      `CREATE INDEX assets_tenant_name_idx ON assets.assets (tenant_id, name, id)`,
    );
    await runner.query(
      `CREATE INDEX assets_tenant_size_idx ON assets.assets (tenant_id, size_bytes DESC, id DESC)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX assets.assets_tenant_size_idx`);
    await runner.query(`DROP INDEX assets.assets_tenant_name_idx`);
    await runner.query(`DROP INDEX assets.assets_tenant_content_type_idx`);
    await runner.query(`DROP INDEX assets.assets_tags_idx`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `filter.search` is a case-insensitive substring of the name (ILIKE '%…%'), which a B-tree
 * cannot serve; a trigram GIN index can. pg_trgm ships with PostgreSQL's contrib package and
 * is a trusted extension (PostgreSQL 13+), so the migration role needs no superuser for it.
 */
export class IndexAssetSearch1764028851000 implements MigrationInterface {
  name = 'IndexAssetSearch1764028851000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await runner.query(
      `CREATE INDEX assets_name_trgm_idx ON assets.assets USING gin (name gin_trgm_ops)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX assets.assets_name_trgm_idx`);
    // The extension is database-wide and may serve others; leaving it installed is harmless.
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  createOwnedSchema,
  enableTenantIsolation,
  grantTableToApp,
} from '../../../platform/db/migration-helpers';

export class CreateAssets1764028802000 implements MigrationInterface {
  name = 'CreateAssets1764028802000';

  async up(runner: QueryRunner): Promise<void> {
    await createOwnedSchema(runner, 'assets');
    await runner.query(`
      CREATE TABLE assets.assets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
        content_type text NOT NULL CHECK (content_type ~ '^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$'),
        size_bytes integer NOT NULL CHECK (size_bytes >= 0),
        checksum_sha256 text CHECK (checksum_sha256 ~ '^[0-9a-f]{64}$'),
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'READY', 'DELETED')),
        metadata jsonb,
        tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 50),
        owner_id uuid NOT NULL,
        -- Millisecond precision: the same as a JavaScript Date, so keyset cursors round-trip.
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        deleted_at timestamptz(3),
        CHECK ((status = 'DELETED') = (deleted_at IS NOT NULL))
      )`);
    // Listing is by tenant, newest first, with id as the tie-breaker for keyset pagination.
    await runner.query(
      `CREATE INDEX assets_tenant_created_idx ON assets.assets (tenant_id, created_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX assets_tenant_owner_idx ON assets.assets (tenant_id, owner_id)`,
    );
    await grantTableToApp(runner, 'assets.assets');
    await enableTenantIsolation(runner, 'assets.assets');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE assets.assets`);
    await runner.query(`DROP SCHEMA assets`);
  }
}

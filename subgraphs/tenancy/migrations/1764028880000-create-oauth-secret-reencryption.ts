import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp } from '../../../platform/db/migration-helpers';

/**
 * The re-encryption job rewrites every tenant's OAuth client secrets after a key rotation, but
 * row-level security shows the tenancy role one tenant at a time. These two functions, run as the
 * schema owner, answer only which rows still need it (id and tenant, in id order) and how many:
 * never an envelope. Each row is then re-read and rewritten inside its own tenant's
 * transaction, under row-level security like any other write.
 *
 * No index on the envelope's key id: the listing walks the primary key and filters, and it runs
 * only in that job, over a table capped at a few providers per tenant.
 */
export class CreateOAuthSecretReencryption1764028880000 implements MigrationInterface {
  name = 'CreateOAuthSecretReencryption1764028880000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION tenancy.oauth_secrets_to_reencrypt(
        active_kid text,
        after_id uuid,
        max_rows integer
      )
      RETURNS TABLE (id uuid, tenant_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, tenancy, pg_temp
      AS $$
        SELECT p.id, p.tenant_id
          FROM tenancy.oauth_providers p
         WHERE split_part(p.client_secret_encrypted, '.', 2) <> active_kid
           AND (after_id IS NULL OR p.id > after_id)
         ORDER BY p.id
         LIMIT least(greatest(max_rows, 0), 1000)
      $$`);
    await runner.query(`
      CREATE FUNCTION tenancy.count_oauth_secrets_to_reencrypt(active_kid text)
      RETURNS bigint
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, tenancy, pg_temp
      AS $$
        SELECT count(*) FROM tenancy.oauth_providers p
         WHERE split_part(p.client_secret_encrypted, '.', 2) <> active_kid
      $$`);
    for (const signature of [
      'tenancy.oauth_secrets_to_reencrypt(text, uuid, integer)',
      'tenancy.count_oauth_secrets_to_reencrypt(text)',
    ]) {
      await grantFunctionToApp(runner, signature);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION tenancy.count_oauth_secrets_to_reencrypt(text)`);
    await runner.query(`DROP FUNCTION tenancy.oauth_secrets_to_reencrypt(text, uuid, integer)`);
  }
}

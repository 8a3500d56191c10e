import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  enableTenantIsolation,
  grantFunctionToApp,
  grantTableToApp,
} from '../../../platform/db/migration-helpers';

/**
 * API keys belong to a tenant and live under its row-level security. Two narrow functions
 * run as the schema owner to cross that line on purpose: finding a key by its public prefix
 * before the tenant is known, and recording last use for a batch of keys of many tenants.
 */
export class CreateApiKeys1764028811000 implements MigrationInterface {
  name = 'CreateApiKeys1764028811000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE auth.api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        created_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        prefix text NOT NULL CHECK (prefix ~ '^[a-z0-9]{12}$'),
        secret_hash text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
        scopes text[] NOT NULL CHECK (cardinality(scopes) BETWEEN 1 AND 32),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        replaced_by uuid REFERENCES auth.api_keys (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE UNIQUE INDEX api_keys_prefix_key ON auth.api_keys (prefix)`);
    await runner.query(
      `CREATE INDEX api_keys_tenant_idx ON auth.api_keys (tenant_id, created_at DESC)`,
    );
    await grantTableToApp(runner, 'auth.api_keys');
    await enableTenantIsolation(runner, 'auth.api_keys');

    await runner.query(`
      CREATE FUNCTION auth.find_api_key(key_prefix text)
        RETURNS TABLE (id uuid, tenant_id uuid, secret_hash text, scopes text[],
                       expires_at timestamptz, revoked_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth
        AS $$ SELECT id, tenant_id, secret_hash, scopes, expires_at, revoked_at
                FROM auth.api_keys WHERE prefix = key_prefix $$`);
    await runner.query(`
      CREATE FUNCTION auth.touch_api_keys(key_ids uuid[], used_at timestamptz)
        RETURNS void
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, auth
        AS $$ UPDATE auth.api_keys SET last_used_at = used_at
               WHERE id = ANY(key_ids) AND (last_used_at IS NULL OR last_used_at < used_at) $$`);
    for (const fn of ['auth.find_api_key(text)', 'auth.touch_api_keys(uuid[], timestamptz)']) {
      await grantFunctionToApp(runner, fn);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION auth.touch_api_keys(uuid[], timestamptz)`);
    await runner.query(`DROP FUNCTION auth.find_api_key(text)`);
    await runner.query(`DROP TABLE auth.api_keys`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantFunctionToApp } from '../../../platform/db/migration-helpers';

const FIND_API_KEY = 'auth.find_api_key(text)';
const API_KEY_ENDINGS = 'auth.api_key_endings_since(timestamptz)';

/**
 * A key belongs to the user who created it as much as to its tenant: the gateway's lookup now
 * answers the creator (the key works only while that user manages the tenant), the keys of a
 * creator are found by index when tenancy revokes them, and auth can re-announce, across
 * tenants, every key that was revoked or rotated lately (lost announcements are repaired).
 * `created_by` itself was there from the start; keys whose creator is gone keep null.
 */
export class TrackApiKeyCreators1765005000000 implements MigrationInterface {
  name = 'TrackApiKeyCreators1765005000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX api_keys_creator_idx ON auth.api_keys (tenant_id, created_by)
         WHERE revoked_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX api_keys_ended_idx ON auth.api_keys (LEAST(revoked_at, expires_at))
         WHERE revoked_at IS NOT NULL OR replaced_by IS NOT NULL`,
    );
    await runner.query(`DROP FUNCTION ${FIND_API_KEY}`);
    await runner.query(`
      CREATE FUNCTION auth.find_api_key(key_prefix text)
        RETURNS TABLE (id uuid, tenant_id uuid, secret_hash text, scopes text[],
                       expires_at timestamptz, revoked_at timestamptz, created_by uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth
        AS $$ SELECT id, tenant_id, secret_hash, scopes, expires_at, revoked_at, created_by
                FROM auth.api_keys WHERE prefix = key_prefix $$`);
    // When a revoked or rotated key stops working: its revocation, or the end of its grace.
    await runner.query(`
      CREATE FUNCTION auth.api_key_endings_since(since timestamptz)
        RETURNS TABLE (id uuid, ends_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth
        AS $$ SELECT id, LEAST(revoked_at, expires_at) FROM auth.api_keys
               WHERE (revoked_at IS NOT NULL OR replaced_by IS NOT NULL)
                 AND LEAST(revoked_at, expires_at) > since $$`);
    for (const fn of [FIND_API_KEY, API_KEY_ENDINGS]) await grantFunctionToApp(runner, fn);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION ${API_KEY_ENDINGS}`);
    await runner.query(`DROP FUNCTION ${FIND_API_KEY}`);
    await runner.query(`
      CREATE FUNCTION auth.find_api_key(key_prefix text)
        RETURNS TABLE (id uuid, tenant_id uuid, secret_hash text, scopes text[],
                       expires_at timestamptz, revoked_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth
        AS $$ SELECT id, tenant_id, secret_hash, scopes, expires_at, revoked_at
                FROM auth.api_keys WHERE prefix = key_prefix $$`);
    await grantFunctionToApp(runner, FIND_API_KEY);
    await runner.query(`DROP INDEX auth.api_keys_ended_idx`);
    await runner.query(`DROP INDEX auth.api_keys_creator_idx`);
  }
}

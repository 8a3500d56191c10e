import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  enableTenantIsolation,
  grantFunctionToApp,
  grantTableToApp,
} from '../../../platform/db/migration-helpers';

/**
 * A user's accounts at tenants' OAuth providers. A link lives under the tenant whose provider
 * it is (row-level security); one owner's function lists a user's links across tenants, for
 * `User.oauthLinks` and the last-sign-in-method rule.
 */
export class CreateOAuthLinks1764028813000 implements MigrationInterface {
  name = 'CreateOAuthLinks1764028813000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE auth.oauth_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
        provider text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
        provider_user_id text NOT NULL CHECK (length(provider_user_id) BETWEEN 1 AND 255),
        email text CHECK (length(email) <= 254),
        linked_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX oauth_links_identity_key ON auth.oauth_links (tenant_id, provider, provider_user_id)`,
    );
    await runner.query(`CREATE INDEX oauth_links_user_idx ON auth.oauth_links (user_id)`);
    await grantTableToApp(runner, 'auth.oauth_links');
    await enableTenantIsolation(runner, 'auth.oauth_links');
    await runner.query(`
      CREATE FUNCTION auth.oauth_links_of_user(uid uuid)
        RETURNS TABLE (tenant_id uuid, provider text, provider_user_id text, linked_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth
        AS $$ SELECT tenant_id, provider, provider_user_id, linked_at
                FROM auth.oauth_links WHERE user_id = uid ORDER BY linked_at $$`);
    await grantFunctionToApp(runner, 'auth.oauth_links_of_user(uuid)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION auth.oauth_links_of_user(uuid)`);
    await runner.query(`DROP TABLE auth.oauth_links`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation, grantTableToApp } from '../../../platform/db/migration-helpers';

/**
 * The OAuth/OIDC providers a tenant's users may sign in with, one per (tenant, name). The
 * client secret is stored only as a key ring envelope whose associated data is
 * `<tenant id>:<provider>`, so an envelope copied into another row does not decrypt. Either an
 * issuer (endpoints discovered) or all three endpoint URLs must be set.
 */
export class CreateOAuthProviders1764028821000 implements MigrationInterface {
  name = 'CreateOAuthProviders1764028821000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE tenancy.oauth_providers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenancy.tenants (id) ON DELETE CASCADE,
        provider text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
        client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 512),
        client_secret_encrypted text NOT NULL CHECK (client_secret_encrypted LIKE 'v1.%'),
        issuer text CHECK (issuer ~ '^https?://' AND length(issuer) <= 2048),
        authorization_url text
          CHECK (authorization_url ~ '^https?://' AND length(authorization_url) <= 2048),
        token_url text CHECK (token_url ~ '^https?://' AND length(token_url) <= 2048),
        user_info_url text CHECK (user_info_url ~ '^https?://' AND length(user_info_url) <= 2048),
        scopes text[] NOT NULL DEFAULT '{openid,email,profile}'
          CHECK (cardinality(scopes) BETWEEN 1 AND 32),
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT oauth_providers_tenant_provider_key UNIQUE (tenant_id, provider),
        CONSTRAINT oauth_providers_endpoints_check CHECK (
          issuer IS NOT NULL
          OR (authorization_url IS NOT NULL AND token_url IS NOT NULL AND user_info_url IS NOT NULL)
        )
      )`);
    // The unique index leads with tenant_id: it serves listing, counting and the lookup.
    await grantTableToApp(runner, 'tenancy.oauth_providers');
    await enableTenantIsolation(runner, 'tenancy.oauth_providers');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE tenancy.oauth_providers`);
  }
}

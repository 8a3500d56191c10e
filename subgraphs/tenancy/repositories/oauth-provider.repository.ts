import type { EntityManager } from 'typeorm';
import { OAuthProviderEntity } from '../entities/oauth-provider.entity';

interface OAuthProviderRow {
  id: string;
  tenant_id: string;
  provider: string;
  client_id: string;
  issuer: string | null;
  authorization_url: string | null;
  token_url: string | null;
  user_info_url: string | null;
  scopes: string[];
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

/** Every column but the secret envelope: what GraphQL answers are built from. */
const COLUMNS = `id, tenant_id, provider, client_id, issuer, authorization_url, token_url,
  user_info_url, scopes, enabled, created_at, updated_at`;

export interface OAuthProviderWrite {
  tenantId: string;
  provider: string;
  clientId: string;
  clientSecretEncrypted: string;
  issuer: string | null;
  authorizationUrl: string | null;
  tokenUrl: string | null;
  userInfoUrl: string | null;
  /** null: true for a new provider, unchanged for an existing one. */
  enabled: boolean | null;
}

/**
 * The tenant lock (`Scope.run`'s `lockTenant`) that serializes a tenant's provider changes, so
 * two concurrent requests cannot both pass the per-tenant cap.
 */
export const PROVIDER_CHANGES_LOCK = 'tenancy.oauth_providers.tenant';

/**
 * Every SQL statement about OAuth providers. All of them run inside the tenant's transaction,
 * under row-level security; the explicit tenant_id conditions are there for the index
 * (tenant_id, provider), the policy alone would still hide other tenants' rows.
 */
export class OAuthProviderRepository {
  constructor(private readonly manager: EntityManager) {}

  async list(tenantId: string): Promise<OAuthProviderEntity[]> {
    const rows: OAuthProviderRow[] = await this.manager.query(
      `SELECT ${COLUMNS} FROM tenancy.oauth_providers WHERE tenant_id = $1 ORDER BY provider`,
      [tenantId],
    );
    return rows.map(toOAuthProvider);
  }

  /** The provider with its secret envelope: for the internal lookup only. */
  async findWithSecret(
    tenantId: string,
    provider: string,
  ): Promise<{ config: OAuthProviderEntity; clientSecretEncrypted: string } | null> {
    const rows: (OAuthProviderRow & { client_secret_encrypted: string })[] =
      await this.manager.query(
        `SELECT ${COLUMNS}, client_secret_encrypted FROM tenancy.oauth_providers
          WHERE tenant_id = $1 AND provider = $2`,
        [tenantId, provider],
      );
    const row = rows[0];
    return row
      ? { config: toOAuthProvider(row), clientSecretEncrypted: row.client_secret_encrypted }
      : null;
  }

  async exists(tenantId: string, provider: string): Promise<boolean> {
    const rows: unknown[] = await this.manager.query(
      `SELECT 1 FROM tenancy.oauth_providers WHERE tenant_id = $1 AND provider = $2`,
      [tenantId, provider],
    );
    return rows.length > 0;
  }

  async count(tenantId: string): Promise<number> {
    const rows: { count: string }[] = await this.manager.query(
      `SELECT count(*) AS count FROM tenancy.oauth_providers WHERE tenant_id = $1`,
      [tenantId],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** Inserts, or replaces the provider of the same name; `created` tells which happened. */
  async upsert(
    write: OAuthProviderWrite,
  ): Promise<{ provider: OAuthProviderEntity; created: boolean }> {
    const rows: (OAuthProviderRow & { created: boolean })[] = await this.manager.query(
      `INSERT INTO tenancy.oauth_providers AS p
         (tenant_id, provider, client_id, client_secret_encrypted, issuer, authorization_url,
          token_url, user_info_url, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::boolean, true))
       ON CONFLICT (tenant_id, provider) DO UPDATE SET
         client_id = EXCLUDED.client_id,
         client_secret_encrypted = EXCLUDED.client_secret_encrypted,
         issuer = EXCLUDED.issuer,
         authorization_url = EXCLUDED.authorization_url,
         token_url = EXCLUDED.token_url,
         user_info_url = EXCLUDED.user_info_url,
         enabled = coalesce($9::boolean, p.enabled),
         updated_at = now()
       RETURNING ${COLUMNS}, (xmax = 0) AS created`,
      [
        write.tenantId,
        write.provider,
        write.clientId,
        write.clientSecretEncrypted,
        write.issuer,
        write.authorizationUrl,
        write.tokenUrl,
        write.userInfoUrl,
        write.enabled,
      ],
    );
    const row = rows[0]!;
    return { provider: toOAuthProvider(row), created: row.created };
  }

  /** True when a provider of that name was there to delete. */
  async remove(tenantId: string, provider: string): Promise<boolean> {
    // TypeORM answers a DELETE with [rows, affected count].
    const [, deleted]: [unknown[], number] = await this.manager.query(
      `DELETE FROM tenancy.oauth_providers WHERE tenant_id = $1 AND provider = $2`,
      [tenantId, provider],
    );
    return deleted > 0;
  }
}

function toOAuthProvider(row: OAuthProviderRow): OAuthProviderEntity {
  return Object.assign(new OAuthProviderEntity(), {
    id: row.id,
    tenantId: row.tenant_id,
    provider: row.provider,
    clientId: row.client_id,
    issuer: row.issuer,
    authorizationUrl: row.authorization_url,
    tokenUrl: row.token_url,
    userInfoUrl: row.user_info_url,
    scopes: row.scopes,
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

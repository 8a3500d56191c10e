import type { EntityManager } from 'typeorm';

/** A provider whose client secret is not under the active key, as the owner function lists it. */
export interface StaleOAuthSecret {
  id: string;
  tenantId: string;
}

/**
 * The OAuth client secret envelopes, as the re-encryption job sees them: listed across tenants
 * by the SECURITY DEFINER functions of the re-encryption migration (ids only), then read and
 * rewritten one at a time in the tenant's own transaction, under row-level security.
 */
export class OAuthSecretRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Outside any tenant: ids and tenants only, in id order after `after`. */
  async listStale(
    activeKid: string,
    after: string | null,
    limit: number,
  ): Promise<StaleOAuthSecret[]> {
    const rows: { id: string; tenant_id: string }[] = await this.manager.query(
      `SELECT id, tenant_id FROM tenancy.oauth_secrets_to_reencrypt($1, $2, $3)`,
      [activeKid, after, limit],
    );
    return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id }));
  }

  async countStale(activeKid: string): Promise<number> {
    const [row] = await this.manager.query<{ n: number }[]>(
      `SELECT tenancy.count_oauth_secrets_to_reencrypt($1)::int AS n`,
      [activeKid],
    );
    return row?.n ?? 0;
  }

  /** In the tenant's transaction: the envelope and its provider name, locked; null if gone. */
  async lockEnvelope(id: string): Promise<{ provider: string; envelope: string } | null> {
    const [row] = await this.manager.query<{ provider: string; client_secret_encrypted: string }[]>(
      `SELECT provider, client_secret_encrypted FROM tenancy.oauth_providers
        WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row ? { provider: row.provider, envelope: row.client_secret_encrypted } : null;
  }

  /** In the tenant's transaction. The provider's updated_at stays: its settings did not change. */
  async replaceEnvelope(id: string, envelope: string): Promise<void> {
    await this.manager.query(
      `UPDATE tenancy.oauth_providers SET client_secret_encrypted = $2 WHERE id = $1`,
      [id, envelope],
    );
  }
}

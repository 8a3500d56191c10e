import type { EntityManager } from 'typeorm';

/** An endpoint with a secret not under the active key, as the owner function lists it. */
export interface StaleWebhookSecret {
  id: string;
  tenantId: string;
}

/**
 * Webhook endpoints' secret envelopes, as the re-encryption job sees them: listed across tenants
 * by the SECURITY DEFINER functions of the re-encryption migration (ids only), then read and
 * rewritten one endpoint at a time in the tenant's own transaction, under row-level security.
 */
export class WebhookSecretRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Outside any tenant: ids and tenants only, in id order after `after`. */
  async listStale(
    activeKid: string,
    after: string | null,
    limit: number,
  ): Promise<StaleWebhookSecret[]> {
    const rows: { id: string; tenant_id: string }[] = await this.manager.query(
      `SELECT id, tenant_id FROM jobs.webhook_secrets_to_reencrypt($1, $2, $3)`,
      [activeKid, after, limit],
    );
    return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id }));
  }

  async countStale(activeKid: string): Promise<number> {
    const [row] = await this.manager.query<{ n: number }[]>(
      `SELECT jobs.count_webhook_secrets_to_reencrypt($1)::int AS n`,
      [activeKid],
    );
    return row?.n ?? 0;
  }

  /** In the tenant's transaction: both envelopes, locked; null when the endpoint is gone. */
  async lockEnvelopes(id: string): Promise<{ current: string; previous: string | null } | null> {
    const [row] = await this.manager.query<
      { secret_ciphertext: string; previous_secret_ciphertext: string | null }[]
    >(
      `SELECT secret_ciphertext, previous_secret_ciphertext FROM jobs.webhook_endpoints
        WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row
      ? { current: row.secret_ciphertext, previous: row.previous_secret_ciphertext }
      : null;
  }

  /**
   * In the tenant's transaction. updated_at stays: the endpoint's settings did not change (its
   * entity's @UpdateDateColumn only applies to saves through TypeORM, not to this statement).
   */
  async replaceEnvelopes(id: string, current: string, previous: string | null): Promise<void> {
    await this.manager.query(
      `UPDATE jobs.webhook_endpoints
          SET secret_ciphertext = $2, previous_secret_ciphertext = $3
        WHERE id = $1`,
      [id, current, previous],
    );
  }
}

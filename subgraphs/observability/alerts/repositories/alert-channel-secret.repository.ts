import type { EntityManager } from 'typeorm';

export interface StaleAlertChannel {
  id: string;
  /** null: a platform channel. */
  tenantId: string | null;
}

/** The owner functions list across owners (ids only); each row is rewritten in its owner's. */
export class AlertChannelSecretRepository {
  constructor(private readonly manager: Pick<EntityManager, 'query'>) {}

  async listStale(activeKid: string, after: string | null, limit: number) {
    const rows = await this.manager.query<{ id: string; tenant_id: string | null }[]>(
      `SELECT id, tenant_id FROM observability.alert_channel_secrets_to_reencrypt($1, $2, $3)`,
      [activeKid, after, limit],
    );
    return rows.map((row): StaleAlertChannel => ({ id: row.id, tenantId: row.tenant_id }));
  }

  async countStale(activeKid: string): Promise<number> {
    const [row] = await this.manager.query<{ n: number }[]>(
      `SELECT observability.count_alert_channel_secrets_to_reencrypt($1)::int AS n`,
      [activeKid],
    );
    return row?.n ?? 0;
  }

  async lockEnvelope(id: string): Promise<string | null> {
    const [row] = await this.manager.query<{ secret_ciphertext: string }[]>(
      `SELECT secret_ciphertext FROM observability.alert_channels WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row?.secret_ciphertext ?? null;
  }

  async replaceEnvelope(id: string, envelope: string): Promise<void> {
    await this.manager.query(
      `UPDATE observability.alert_channels SET secret_ciphertext = $2 WHERE id = $1`,
      [id, envelope],
    );
  }
}

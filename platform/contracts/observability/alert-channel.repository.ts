import type { EntityManager } from 'typeorm';

export const ALERT_CHANNEL_KINDS = ['SLACK', 'PAGERDUTY'] as const;
export type AlertChannelKind = (typeof ALERT_CHANNEL_KINDS)[number];

/** One row of observability.alert_channels; the secret stays an envelope of the key ring. */
export interface AlertChannelRow {
  id: string;
  tenantId: string | null;
  kind: AlertChannelKind;
  name: string;
  /** The webhook URL or routing key, encrypted with the channel's id as associated data. */
  secretCiphertext: string;
  /** What queries show instead of the secret. */
  secretHint: string;
  createdAt: Date;
}

const COLUMNS = `id, tenant_id AS "tenantId", kind, name, secret_ciphertext AS "secretCiphertext",
  secret_hint AS "secretHint", created_at AS "createdAt"`;

/**
 * Alert channels with a secret target (Slack, PagerDuty). Written by observability, read by the
 * worker when it sends; always inside a tenant transaction or a platform one (no tenant set),
 * so row-level security confines every query to that owner's channels.
 */
export class AlertChannelRepository {
  constructor(private readonly manager: Pick<EntityManager, 'query'>) {}

  /** Oldest first (index: tenant, created_at, id). */
  list(tenantId: string | null, limit: number): Promise<AlertChannelRow[]> {
    return this.manager.query(
      `SELECT ${COLUMNS} FROM observability.alert_channels
        WHERE tenant_id IS NOT DISTINCT FROM $1 ORDER BY created_at, id LIMIT $2`,
      [tenantId, limit],
    );
  }

  async findById(id: string): Promise<AlertChannelRow | null> {
    const rows: AlertChannelRow[] = await this.manager.query(
      `SELECT ${COLUMNS} FROM observability.alert_channels WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** With a row lock: a deletion and a rule naming the channel take turns (see kindsOf). */
  async findByIdForUpdate(id: string): Promise<AlertChannelRow | null> {
    const rows: AlertChannelRow[] = await this.manager.query(
      `SELECT ${COLUMNS} FROM observability.alert_channels WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * The kinds of those of `ids` the owner has, by id. Share-locked until the transaction ends,
   * so a rule written with them cannot commit beside the deletion of one.
   */
  async kindsOf(ids: readonly string[]): Promise<Map<string, AlertChannelKind>> {
    const rows: { id: string; kind: AlertChannelKind }[] = await this.manager.query(
      `SELECT id, kind FROM observability.alert_channels WHERE id = ANY($1::uuid[]) FOR SHARE`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.kind]));
  }

  async count(tenantId: string | null): Promise<number> {
    const [row] = await this.manager.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM observability.alert_channels
        WHERE tenant_id IS NOT DISTINCT FROM $1`,
      [tenantId],
    );
    return row?.count ?? 0;
  }

  async insert(row: Omit<AlertChannelRow, 'createdAt'>): Promise<AlertChannelRow> {
    const [inserted] = await this.manager.query<AlertChannelRow[]>(
      `INSERT INTO observability.alert_channels
         (id, tenant_id, kind, name, secret_ciphertext, secret_hint)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [row.id, row.tenantId, row.kind, row.name, row.secretCiphertext, row.secretHint],
    );
    return inserted!;
  }

  async delete(id: string): Promise<boolean> {
    const [row] = await this.manager.query<{ count: number }[]>(
      `WITH gone AS (DELETE FROM observability.alert_channels WHERE id = $1 RETURNING id)
       SELECT count(*)::int AS count FROM gone`,
      [id],
    );
    return (row?.count ?? 0) > 0;
  }
}

import type { EntityManager } from 'typeorm';
import type { UsageDelta } from '../../../platform/usage/usage-counts';

export interface TenantUsageDay {
  day: string;
  requests: number;
  queries: number;
  mutations: number;
  subscriptions: number;
  responseBytes: number;
  webhookDeliveries: number;
  peakSubscriptions: number;
  storageBytes: number;
}

interface UsageRow {
  day: string;
  requests: string;
  queries: string;
  mutations: string;
  subscriptions: string;
  response_bytes: string;
  webhook_deliveries: string;
  peak_subscriptions: string;
  storage_bytes: string;
}

/** A tenant's daily usage rows, in the tenant's transaction (row-level security). */
export class TenantUsageRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Adds a report's sums to its day's row (created on the first), keeping the larger peak. */
  async add(delta: UsageDelta): Promise<void> {
    await this.manager.query(
      `INSERT INTO observability.tenant_usage_daily AS u
         (tenant_id, day, requests, queries, mutations, subscriptions, response_bytes,
          webhook_deliveries, peak_subscriptions, storage_bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (tenant_id, day) DO UPDATE SET
         requests = u.requests + EXCLUDED.requests,
         queries = u.queries + EXCLUDED.queries,
         mutations = u.mutations + EXCLUDED.mutations,
         subscriptions = u.subscriptions + EXCLUDED.subscriptions,
         response_bytes = u.response_bytes + EXCLUDED.response_bytes,
         webhook_deliveries = u.webhook_deliveries + EXCLUDED.webhook_deliveries,
         peak_subscriptions = GREATEST(u.peak_subscriptions, EXCLUDED.peak_subscriptions),
         storage_bytes = GREATEST(u.storage_bytes, EXCLUDED.storage_bytes),
         updated_at = now()`,
      [
        delta.tenantId,
        delta.day,
        delta.requests,
        delta.queries,
        delta.mutations,
        delta.subscriptions,
        delta.responseBytes,
        delta.webhookDeliveries,
        delta.peakSubscriptions,
        delta.storageBytes,
      ],
    );
  }

  /** The days from `from` to `to` (inclusive) that have a row, oldest first. */
  async between(from: string, to: string): Promise<TenantUsageDay[]> {
    const rows = await this.manager.query<UsageRow[]>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, requests, queries, mutations, subscriptions,
              response_bytes, webhook_deliveries, peak_subscriptions, storage_bytes
         FROM observability.tenant_usage_daily
        WHERE day BETWEEN $1 AND $2
        ORDER BY day`,
      [from, to],
    );
    return rows.map((row) => ({
      day: row.day,
      requests: Number(row.requests),
      queries: Number(row.queries),
      mutations: Number(row.mutations),
      subscriptions: Number(row.subscriptions),
      responseBytes: Number(row.response_bytes),
      webhookDeliveries: Number(row.webhook_deliveries),
      peakSubscriptions: Number(row.peak_subscriptions),
      storageBytes: Number(row.storage_bytes),
    }));
  }
}

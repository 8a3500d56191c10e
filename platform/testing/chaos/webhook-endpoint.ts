import type { TestDatabase } from '../database';
import { isChallenge, type ReceivedWebhook, type WebhookReceiver } from '../webhook-receiver';
import { verifiedEndpoint } from '../webhook-endpoints';
import type { ChaosTenant } from './fixtures';

export { isChallenge };

/**
 * A verified endpoint of the tenant at `path` on the receiver, for `eventTypes`, whose
 * deliveries are answered 200 after `delayMs` (so some are always in flight). The stack must
 * allow 127.0.0.0/8 (OUTBOUND_ALLOWED_CIDRS).
 */
export async function createVerifiedEndpoint(
  gatewayUrl: string,
  tenant: ChaosTenant,
  receiver: WebhookReceiver,
  options: { path: string; eventTypes: string[]; delayMs: number },
): Promise<{ id: string; deliveries: () => ReceivedWebhook[] }> {
  const endpoint = await verifiedEndpoint(
    gatewayUrl,
    tenant.owner.headers(tenant.tenantId),
    receiver,
    {
      path: options.path,
      eventTypes: options.eventTypes,
      answer: () => ({ status: 200, delayMs: options.delayMs }),
    },
  );
  return { id: endpoint.id, deliveries: endpoint.deliveries };
}

/** The tenant's journal events of `type` after `afterSeq`: what an endpoint must receive. */
export async function journalEvents(
  db: TestDatabase,
  tenantId: string,
  afterSeq: bigint,
  type: string,
): Promise<{ id: string; seq: bigint }[]> {
  const rows = await db.query<{ id: string; seq: string }>(
    `SELECT id, seq::text AS seq FROM events.events
      WHERE tenant_id = $1 AND seq > $2 AND type = $3 ORDER BY seq`,
    [tenantId, afterSeq.toString(), type],
  );
  return rows.map((row) => ({ id: row.id, seq: BigInt(row.seq) }));
}

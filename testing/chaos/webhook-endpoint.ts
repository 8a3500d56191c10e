import type { TestStack } from '../stack';
import type { TestDatabase } from '../database';
import { isChallenge, type ReceivedWebhook, type WebhookReceiver } from '../webhook-receiver';
import { waitFor } from '../ws-client';
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
  return { id: endpoint.id, deliveries: () => endpoint.deliveries() };
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

/**
 * The `webhook-id`s received in `deliveries()` from index `from` on, kept as a set that only
 * reads the deliveries that arrived since the last call: the receiver shares the test's event
 * loop, and rebuilding the set on every poll starved it (deliveries then timed out).
 */
export function receivedIds(
  deliveries: () => readonly ReceivedWebhook[],
  from: number,
): () => ReadonlySet<string> {
  const ids = new Set<string>();
  let read = from;
  return () => {
    const all = deliveries();
    for (; read < all.length; read += 1) ids.add(String(all[read]!.headers['webhook-id']));
    return ids;
  };
}

/**
 * Waits until every one of `eventIds` has reached the receiver. A slow platform is not a lost
 * delivery: the wait goes on as long as something moves (a new event received, or a new
 * attempt in the tenant's attempt log) within `quietMs`, and resolves false once nothing did.
 */
export async function waitForDeliveries(
  stack: TestStack,
  tenantId: string,
  eventIds: readonly string[],
  received: () => ReadonlySet<string>,
  quietMs = 30_000,
): Promise<boolean> {
  const progress = async () => {
    const [row] = await stack.db.query<{ attempts: number }>(
      'SELECT count(*)::int AS attempts FROM jobs.webhook_attempts WHERE tenant_id = $1',
      [tenantId],
    );
    return received().size + (row?.attempts ?? 0);
  };
  const allIn = () => {
    const got = received();
    return eventIds.every((id) => got.has(id));
  };
  for (let seen = -1, now = await progress(); now > seen; now = await progress()) {
    seen = now;
    const done = await waitFor(allIn, quietMs)
      .then(() => true)
      .catch(() => false);
    if (done) return true;
  }
  return false;
}

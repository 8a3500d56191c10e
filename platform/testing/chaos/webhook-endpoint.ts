import type { TestDatabase } from '../database';
import { postGraphQL } from '../graphql-client';
import {
  answerChallenge,
  isChallenge,
  type ReceivedWebhook,
  type WebhookReceiver,
} from '../webhook-receiver';
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
  let secret = '';
  receiver.route(options.path, (request) =>
    isChallenge(request)
      ? answerChallenge(request, secret)
      : { status: 200, delayMs: options.delayMs },
  );
  const headers = tenant.owner.headers(tenant.tenantId);
  const created = await postGraphQL<{
    createWebhookEndpoint: { secret: string; endpoint: { id: string } };
  }>(
    gatewayUrl,
    {
      query: `mutation ($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
      variables: {
        input: { url: `${receiver.origin}${options.path}`, eventTypes: options.eventTypes },
      },
    },
    headers,
  );
  const id = created.body.data?.createWebhookEndpoint.endpoint.id;
  if (!id) throw new Error(`endpoint not created: ${created.text}`);
  secret = created.body.data!.createWebhookEndpoint.secret;
  const verified = await postGraphQL(
    gatewayUrl,
    {
      query: 'mutation ($id: ID!) { verifyWebhookEndpoint(id: $id) { status } }',
      variables: { id },
    },
    headers,
  );
  if (verified.body.errors) throw new Error(`endpoint not verified: ${verified.text}`);
  return {
    id,
    deliveries: () => receiver.at(options.path).filter((request) => !isChallenge(request)),
  };
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

import { randomUUID } from 'node:crypto';
import { dataOf, postGraphQL } from './graphql-client';
import {
  answerChallenge,
  isChallenge,
  type ReceivedWebhook,
  type WebhookHandler,
  type WebhookReceiver,
} from './webhook-receiver';

export interface VerifiedEndpoint {
  id: string;
  /** `whsec_…`, as createWebhookEndpoint showed it. */
  secret: string;
  /** Deliveries (not challenges) that reached the endpoint so far, in arrival order. */
  deliveries(): ReceivedWebhook[];
}

/**
 * An ACTIVE endpoint created and verified through the gateway as `headers` (an OWNER or ADMIN
 * of its tenant), at `path` (default: a fresh one) on the receiver, for `eventTypes`. The path
 * answers the challenge with the endpoint's secret, as its owner's server does, and deliveries
 * with `answer` (default: 200). The stack must allow 127.0.0.0/8 (OUTBOUND_ALLOWED_CIDRS).
 */
export async function verifiedEndpoint(
  gatewayUrl: string,
  headers: Record<string, string>,
  receiver: WebhookReceiver,
  options: { eventTypes: string[]; answer?: WebhookHandler; path?: string },
): Promise<VerifiedEndpoint> {
  const path = options.path ?? `/endpoint-${randomUUID().slice(0, 8)}`;
  const answer = options.answer ?? (() => undefined);
  let secret = '';
  receiver.route(path, (request) =>
    isChallenge(request) ? answerChallenge(request, secret) : answer(request),
  );
  const { createWebhookEndpoint: created } = dataOf(
    await postGraphQL<{ createWebhookEndpoint: { secret: string; endpoint: { id: string } } }>(
      gatewayUrl,
      {
        query: `mutation ($input: WebhookEndpointInput!) {
          createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
        variables: { input: { url: `${receiver.origin}${path}`, eventTypes: options.eventTypes } },
      },
      headers,
    ),
  );
  secret = created.secret;
  dataOf(
    await postGraphQL(
      gatewayUrl,
      {
        query: 'mutation ($id: ID!) { verifyWebhookEndpoint(id: $id) { status } }',
        variables: { id: created.endpoint.id },
      },
      headers,
    ),
  );
  return {
    id: created.endpoint.id,
    secret,
    deliveries: deliveriesAt(receiver, path),
  };
}

/**
 * The requests at `path` that are not challenges, each body parsed once: tests poll this while
 * thousands of deliveries arrive, in the event loop the receiver answers them from.
 */
function deliveriesAt(receiver: WebhookReceiver, path: string): () => ReceivedWebhook[] {
  const deliveries: ReceivedWebhook[] = [];
  let scanned = 0;
  return () => {
    const all = receiver.at(path);
    for (; scanned < all.length; scanned += 1) {
      if (!isChallenge(all[scanned]!)) deliveries.push(all[scanned]!);
    }
    return [...deliveries];
  };
}

import { randomUUID } from 'node:crypto';
import { anonymousContext, runWithContext } from '../../platform/context/request-context';
import { tenantScope } from '../../platform/db/scope';
import { appendEvent } from '../../platform/events/append-event';
import { EventType } from '../../platform/events/event-types';
import { connectAs } from '../../testing/database';
import { postGraphQL } from '../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../testing/members';
import { startStack, type TestStack } from '../../testing/stack';
import {
  answerChallenge,
  isChallenge,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../testing/webhook-receiver';
import {
  connectWs,
  listeningNow,
  waitFor,
  waitForListening,
  type WsClient,
} from '../../testing/ws-client';

// Subscriptions to objects that events announce: webhookDeliveryUpdated (a real delivery to a
// local receiver) and alerts (an alert announced in the journal), each rendered through the
// gateway with the subscriber's own authorization.

const tenantA = randomUUID();
const tenantB = randomUUID();
let stack: TestStack;
let receiver: WebhookReceiver;
let admin: TestUser;
let adminOfB: TestUser;
const clients: WsClient[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'jobs', 'observability'],
    worker: true,
    env: { OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8', RELAY_POLL_MS: '100' },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'derived-a', 'A'), ($2, 'derived-b', 'B')`,
    [tenantA, tenantB],
  );
  admin = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'ADMIN');
  adminOfB = await signUpMember(stack.gatewayUrl, stack.db, tenantB, 'ADMIN');
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await stack?.stop();
  await receiver?.close();
});

function subscribe<T>(user: TestUser, tenantId: string, query: string, variables = {}) {
  const client = connectWs(stack.gatewayUrl, {
    authorization: `Bearer ${user.accessToken}`,
    tenantId,
  });
  clients.push(client);
  return client.subscribe<T>(query, variables);
}

async function gql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  user = admin,
  tenantId = tenantA,
) {
  const response = await postGraphQL<T>(
    stack.gatewayUrl,
    { query, variables },
    user.headers(tenantId),
  );
  if (!response.body.data) throw new Error(`${query}: ${response.text}`);
  return response.body.data;
}

/** A verified endpoint at `route` of the receiver, taking every event type. */
async function verifiedEndpoint(route: string, user = admin, tenantId = tenantA): Promise<string> {
  let secret = '';
  receiver.route(route, (request) =>
    isChallenge(request) ? answerChallenge(request, secret) : undefined,
  );
  const { createWebhookEndpoint } = await gql<{
    createWebhookEndpoint: { secret: string; endpoint: { id: string } };
  }>(
    `mutation ($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
    { input: { url: `${receiver.origin}${route}`, eventTypes: ['*'] } },
    user,
    tenantId,
  );
  secret = createWebhookEndpoint.secret;
  const endpointId = createWebhookEndpoint.endpoint.id;
  await gql(
    `mutation ($id: ID!) { verifyWebhookEndpoint(id: $id) { status } }`,
    { id: endpointId },
    user,
    tenantId,
  );
  return endpointId;
}

async function sendTestWebhook(endpointId: string, user = admin, tenantId = tenantA) {
  const data = await gql<{ sendTestWebhook: { id: string } }>(
    `mutation ($id: ID!) { sendTestWebhook(id: $id) { id } }`,
    { id: endpointId },
    user,
    tenantId,
  );
  return data.sendTestWebhook.id;
}

type DeliveryUpdate = {
  webhookDeliveryUpdated: { id: string; status: string; endpoint: { id: string } };
};
const DELIVERY_UPDATES =
  'subscription ($e: ID) { webhookDeliveryUpdated(endpointId: $e) { id status endpoint { id } } }';
const succeeded = (deliveryId: string) => (result: DeliveryUpdate) =>
  result.webhookDeliveryUpdated.id === deliveryId &&
  result.webhookDeliveryUpdated.status === 'SUCCEEDED';
const endpointsOf = (results: DeliveryUpdate[]) =>
  new Set(results.map((result) => result.webhookDeliveryUpdated.endpoint.id));

describe('webhookDeliveryUpdated', () => {
  it("follows a delivery's status, for the chosen endpoint only", async () => {
    const endpointId = await verifiedEndpoint('/hook');
    const otherEndpointId = await verifiedEndpoint('/hook-other');
    const endpointOfB = await verifiedEndpoint('/hook-b', adminOfB, tenantB);

    const listening = await listeningNow(stack.url('gateway'));
    const mine = subscribe<DeliveryUpdate>(admin, tenantA, DELIVERY_UPDATES, { e: endpointId });
    const otherEndpoint = subscribe<DeliveryUpdate>(admin, tenantA, DELIVERY_UPDATES, {
      e: otherEndpointId,
    });
    const otherTenant = subscribe<DeliveryUpdate>(adminOfB, tenantB, DELIVERY_UPDATES);
    await waitForListening(stack.url('gateway'), listening + 3);

    const theTest = await sendTestWebhook(endpointId);
    await waitFor(() => mine.results.some(succeeded(theTest)), 15_000);
    // Other deliveries of this endpoint (it takes every event type) may come too; none of others.
    expect(endpointsOf(mine.results)).toEqual(new Set([endpointId]));
    // Absence made positive: a later delivery on each of the other subscriptions comes after
    // any update of this one that could have leaked to them, on the same channel.
    const markerOfA = await sendTestWebhook(otherEndpointId);
    const markerOfB = await sendTestWebhook(endpointOfB, adminOfB, tenantB);
    await waitFor(() => otherEndpoint.results.some(succeeded(markerOfA)), 15_000);
    await waitFor(() => otherTenant.results.some(succeeded(markerOfB)), 15_000);
    expect(endpointsOf(otherEndpoint.results)).toEqual(new Set([otherEndpointId]));
    expect(endpointsOf(otherTenant.results)).toEqual(new Set([endpointOfB]));
  });

  it('is refused to a MEMBER', async () => {
    const member = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER');
    const received = subscribe<unknown>(
      member,
      tenantA,
      'subscription { webhookDeliveryUpdated { id } }',
    );
    await received.ended;
    expect(JSON.stringify(received.errors)).toMatch(/FORBIDDEN/);
  });
});

describe('alerts', () => {
  it('announces an alert as it fires, rendered through the observability subgraph', async () => {
    const listening = await listeningNow(stack.url('gateway'));
    const received = subscribe<{ alerts: { id: string; message: string; rule: { name: string } } }>(
      admin,
      tenantA,
      'subscription { alerts { id message severity rule { name } } }',
    );
    await waitForListening(stack.url('gateway'), listening + 1);
    const [rule] = await stack.db.query<{ id: string }>(
      `INSERT INTO observability.alert_rules (tenant_id, name, metric, comparator, threshold, for_seconds, severity, channels)
       VALUES ($1, 'too many errors', 'tessera_graphql_operations_total', '>', 1, 0, 'WARNING', '{log}') RETURNING id`,
      [tenantA],
    );
    const [alert] = await stack.db.query<{ id: string }>(
      `INSERT INTO observability.alerts (tenant_id, rule_id, severity, message, value)
       VALUES ($1, $2, 'WARNING', 'errors above 1', 3) RETURNING id`,
      [tenantA, rule!.id],
    );
    // The evaluator appends this event when it fires the alert; here the test does.
    const app = await connectAs(stack.db, 'observability', { poolMax: 1 });
    try {
      await runWithContext({ ...anonymousContext(randomUUID()), tenantId: tenantA }, () =>
        tenantScope(app, tenantA).run((manager) =>
          appendEvent(manager, {
            type: EventType.ALERT_FIRED,
            payload: { alertId: alert!.id, ruleId: rule!.id },
            actor: { kind: 'system', id: null },
          }),
        ),
      );
    } finally {
      await app.destroy();
    }
    await waitFor(() => received.results.length >= 1, 15_000);
    expect(received.results[0]).toEqual({
      alerts: {
        id: alert!.id,
        message: 'errors above 1',
        severity: 'WARNING',
        rule: { name: 'too many errors' },
      },
    });
  });
});

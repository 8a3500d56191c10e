import { randomUUID } from 'node:crypto';
import { dataOf, postGraphQL, type GraphQLResponse } from '../../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import { verifiedEndpoint } from '../../../testing/webhook-endpoints';
import { startWebhookReceiver, type WebhookReceiver } from '../../../testing/webhook-receiver';
import { connectWs, waitFor, type WsClient } from '../../../testing/ws-client';

// Who sees what of the event journal, end to end (gateway, auth, tenancy, jobs and the worker
// as real processes, real HTTP and graphql-ws clients, a local webhook receiver): an actor's
// IP and user agent only for ADMINs and keys with audit:read, the actor only for members and
// keys with members:read, and journal payloads through webhooks only for callers that may read
// the journal (events:read beside webhooks:manage).

const tenantId = randomUUID();
const USER_AGENT = 'journal-visibility-test/1.0';
let stack: TestStack;
let receiver: WebhookReceiver;
let admin: TestUser;
let viewer: TestUser;
/** Keys of the tenant by what they hold. */
const keys: Record<string, Record<string, string>> = {};
/** The admin's `updateTenant` event: it has an IP, a user agent and a user as actor. */
let eventId: string;
let eventSeq: string;
let endpointId: string;
let deliveryId: string;
const clients: WsClient[] = [];

const EVENT_FIELDS = 'id seq type payload actorKind actorId actor { email } ip userAgent';
interface EventView {
  id: string;
  seq: string;
  actorKind: string | null;
  actorId: string | null;
  actor: { email: string } | null;
  ip: string | null;
  userAgent: string | null;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'jobs'],
    worker: true,
    env: { OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8', RELAY_POLL_MS: '100' },
  });
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'vis', 'Vis')`, [
    tenantId,
  ]);
  admin = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'ADMIN');
  viewer = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'VIEWER');
  for (const [name, scopes] of Object.entries({
    events: ['events:read'],
    eventsAudit: ['events:read', 'audit:read'],
    eventsMembers: ['events:read', 'members:read'],
    hooks: ['webhooks:manage'],
    hooksEvents: ['webhooks:manage', 'events:read'],
  })) {
    const created = await ok<{ createApiKey: { secret: string } }>(
      `mutation ($n: String!, $s: [String!]!) { createApiKey(name: $n, scopes: $s) { secret } }`,
      { n: name, s: scopes },
    );
    keys[name] = { 'x-api-key': created.createApiKey.secret, 'x-tenant-id': tenantId };
  }

  // An endpoint that receives the tenant's updates, verified by a receiver holding its secret.
  const endpoint = await verifiedEndpoint(stack.gatewayUrl, admin.headers(tenantId), receiver, {
    eventTypes: ['tenancy.tenant.*'],
  });
  endpointId = endpoint.id;

  await ok(
    `mutation { updateTenant(name: "Vis Two") { name } }`,
    {},
    {
      ...admin.headers(tenantId),
      'user-agent': USER_AGENT,
    },
  );
  const [event] = await stack.db.query<{ id: string; seq: string }>(
    `SELECT id, seq::text AS seq FROM events.events WHERE tenant_id = $1 AND type = 'tenancy.tenant.updated'`,
    [tenantId],
  );
  eventId = event!.id;
  eventSeq = event!.seq;
  await waitFor(() => endpoint.deliveries().length > 0, 20_000);
  const [delivery] = await stack.db.query<{ id: string }>(
    `SELECT id FROM jobs.webhook_deliveries WHERE event_id = $1`,
    [eventId],
  );
  deliveryId = delivery!.id;
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await stack?.stop();
  await receiver?.close();
});

function gql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = admin.headers(tenantId),
): Promise<GraphQLResponse<T>> {
  return postGraphQL<T>(stack.gatewayUrl, { query, variables }, headers);
}

async function ok<T>(
  query: string,
  variables: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Promise<T> {
  return dataOf(await gql<T>(query, variables, headers));
}

async function refusal(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<{ code: unknown; message: string }> {
  const response = await gql(query, variables, headers);
  const error = response.body.errors?.[0];
  if (!error) throw new Error(`expected a refusal: ${response.text}`);
  return { code: error.extensions?.code, message: error.message };
}

/** The arranged event as `events` and `event(id)` show it to the caller (they must agree). */
async function eventAs(headers: Record<string, string>): Promise<EventView> {
  const data = await ok<{ events: { nodes: EventView[] }; event: EventView }>(
    `query ($id: ID!) {
       events(first: 100, types: ["tenancy.tenant.updated"]) { nodes { ${EVENT_FIELDS} } }
       event(id: $id) { ${EVENT_FIELDS} } }`,
    { id: eventId },
    headers,
  );
  const listed = data.events.nodes.find((node) => node.id === eventId)!;
  expect(data.event).toEqual(listed);
  return listed;
}

describe('an actor’s IP and user agent', () => {
  it('are shown to an ADMIN', async () => {
    const event = await eventAs(admin.headers(tenantId));
    expect(event).toMatchObject({
      actorKind: 'USER',
      actorId: admin.id,
      actor: { email: admin.email },
      ip: expect.stringMatching(/127\.0\.0\.1/),
      userAgent: USER_AGENT,
    });
  });

  it('are null for a VIEWER, in events and event alike', async () => {
    const event = await eventAs(viewer.headers(tenantId));
    expect(event).toMatchObject({ actor: { email: admin.email }, ip: null, userAgent: null });
  });

  it('are null for an API key with events:read alone, and shown with audit:read', async () => {
    expect(await eventAs(keys.events!)).toMatchObject({ ip: null, userAgent: null });
    expect(await eventAs(keys.eventsAudit!)).toMatchObject({
      ip: expect.stringMatching(/127\.0\.0\.1/),
      userAgent: USER_AGENT,
    });
  });

  it('are null in a VIEWER’s subscription, rendered on the gateway or through the subgraph', async () => {
    const client = connectWs(stack.gatewayUrl, {
      authorization: `Bearer ${viewer.accessToken}`,
      tenantId,
    });
    clients.push(client);
    const after = String(BigInt(eventSeq) - 1n);
    // Replayed from the journal (afterSeq), then a live one rendered from the relay's message.
    const local = client.subscribe<{ events: { seq: string; ip: string | null } }>(
      `subscription ($after: String) { events(afterSeq: $after, types: ["tenancy.tenant.updated"]) { seq ip userAgent } }`,
      { after },
    );
    const rendered = client.subscribe<{ events: { seq: string; ip: string | null } }>(
      `subscription ($after: String) { events(afterSeq: $after, types: ["tenancy.tenant.updated"]) { seq ip userAgent actor { email } } }`,
      { after },
    );
    await waitFor(() => local.results.length >= 1 && rendered.results.length >= 1);
    await ok(
      `mutation { updateTenant(name: "Vis Three") { name } }`,
      {},
      {
        ...admin.headers(tenantId),
        'user-agent': USER_AGENT,
      },
    );
    await waitFor(() => local.results.length >= 2 && rendered.results.length >= 2);
    expect(local.errors).toEqual([]);
    expect(rendered.errors).toEqual([]);
    for (const { events } of [...local.results, ...rendered.results]) {
      expect(events).toMatchObject({ ip: null, userAgent: null });
    }
    expect(rendered.results[1]!.events).toMatchObject({ actor: { email: admin.email } });
    local.unsubscribe();
    rendered.unsubscribe();
  });

  it('stay null for a VIEWER subscribed with the same document as an ADMIN who sees them', async () => {
    // The gateway renders a live event once per document and view of it: the VIEWER's view
    // must not be served the ADMIN's rendering, whichever subscribed first.
    const query = `subscription { events(types: ["tenancy.tenant.updated"]) { seq ip userAgent } }`;
    const subscriptions = [admin, viewer, admin, viewer].map((user) => {
      const client = connectWs(stack.gatewayUrl, {
        authorization: `Bearer ${user.accessToken}`,
        tenantId,
      });
      clients.push(client);
      return client.subscribe<{ events: { seq: string; ip: string | null } }>(query);
    });
    // Renames until every subscription has seen one (each is then live), then one more.
    await waitFor(async () => {
      await ok(
        `mutation { updateTenant(name: "Vis ${Date.now()}") { name } }`,
        {},
        {
          ...admin.headers(tenantId),
          'user-agent': USER_AGENT,
        },
      );
      return subscriptions.every((subscription) => subscription.results.length >= 1);
    }, 20_000);
    const [adminFirst, viewerFirst, adminSecond, viewerSecond] = subscriptions.map(
      (subscription) => subscription.results.at(-1)!.events,
    );
    for (const seen of [adminFirst, adminSecond]) {
      expect(seen).toMatchObject({
        ip: expect.stringMatching(/127\.0\.0\.1/),
        userAgent: USER_AGENT,
      });
    }
    for (const seen of [viewerFirst, viewerSecond]) {
      expect(seen).toMatchObject({ ip: null, userAgent: null });
    }
    for (const subscription of subscriptions) subscription.unsubscribe();
  });
});

describe('the actor', () => {
  it('is null for an API key without members:read (its email is a member’s), and shown with it', async () => {
    expect(await eventAs(keys.events!)).toMatchObject({
      actorKind: 'USER',
      actorId: admin.id,
      actor: null,
    });
    expect(await eventAs(keys.eventsMembers!)).toMatchObject({ actor: { email: admin.email } });
  });
});

describe('journal payloads through webhooks', () => {
  const DELIVERY_EVENT = `query ($id: ID!) { webhookDelivery(id: $id) { id event { payload ip userAgent actor { email } } } }`;
  const REPLAY = `mutation ($id: ID!) { replayEvents(endpointId: $id, since: "2020-01-01T00:00:00Z") }`;

  it('refuses a webhooks:manage key without events:read the delivery’s event', async () => {
    expect(await refusal(DELIVERY_EVENT, { id: deliveryId }, keys.hooks!)).toEqual({
      code: 'FORBIDDEN',
      message: '"WebhookDelivery.event" needs an API key with the events:read scope',
    });
    const listed = await gql<{
      webhookEndpoint: { deliveries: { nodes: { id: string }[] } };
    }>(
      `query ($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 10) { nodes { id status eventType } } } }`,
      { id: endpointId },
      keys.hooks,
    );
    expect(listed.body.data?.webhookEndpoint.deliveries.nodes.map((node) => node.id)).toContain(
      deliveryId,
    );
  });

  it('refuses it replayEvents, and enqueues nothing', async () => {
    const before = await replayedDeliveryCount();
    expect(await refusal(REPLAY, { id: endpointId }, keys.hooks!)).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/events:read/),
    });
    expect(await replayedDeliveryCount()).toBe(before);
  });

  it('refuses it choosing where or which events go, but lets it manage the endpoint', async () => {
    expect(
      await refusal(
        `mutation ($url: String!) { createWebhookEndpoint(input: { url: $url, eventTypes: ["*"] }) { secret } }`,
        { url: `${receiver.origin}/stolen` },
        keys.hooks!,
      ),
    ).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/events:read/) });
    for (const patch of [{ url: `${receiver.origin}/stolen` }, { eventTypes: ['*'] }]) {
      expect(
        await refusal(
          `mutation ($id: ID!, $patch: WebhookEndpointPatch!) { updateWebhookEndpoint(id: $id, patch: $patch) { id } }`,
          { id: endpointId, patch },
          keys.hooks!,
        ),
      ).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/events:read/) });
    }
    const [endpoint] = await stack.db.query<{ url: string; event_types: string[] }>(
      `SELECT url, event_types FROM jobs.webhook_endpoints WHERE id = $1`,
      [endpointId],
    );
    expect(endpoint).toMatchObject({ event_types: ['tenancy.tenant.*'] });
    expect(endpoint!.url).not.toMatch(/stolen/);
    expect(
      await ok(
        `mutation ($id: ID!) { updateWebhookEndpoint(id: $id, patch: { description: "managed" }) { description } }`,
        { id: endpointId },
        keys.hooks,
      ),
    ).toEqual({ updateWebhookEndpoint: { description: 'managed' } });
  });

  it('refuses it a webhookDeliveryUpdated subscription that selects the event', async () => {
    const client = connectWs(stack.gatewayUrl, { apiKey: keys.hooks!['x-api-key'], tenantId });
    clients.push(client);
    const received = client.subscribe(
      `subscription { webhookDeliveryUpdated { id event { payload ip } } }`,
    );
    await waitFor(() => received.errors.length > 0);
    expect(JSON.stringify(received.errors)).toMatch(/FORBIDDEN/);
  });

  it('lets a key with events:read too replay and read the event, its IP still hidden', async () => {
    const replayed = await ok<{ replayEvents: number }>(
      REPLAY,
      { id: endpointId },
      keys.hooksEvents,
    );
    expect(replayed.replayEvents).toBeGreaterThanOrEqual(1);
    const read = await ok<{
      webhookDelivery: { event: { payload: unknown; ip: string | null; actor: unknown } };
    }>(DELIVERY_EVENT, { id: deliveryId }, keys.hooksEvents);
    expect(read.webhookDelivery.event).toEqual({
      payload: expect.objectContaining({ name: 'Vis Two' }),
      ip: null,
      userAgent: null,
      actor: null,
    });
  });

  it('shows an ADMIN the delivery’s event whole', async () => {
    const read = await ok<{ webhookDelivery: { event: EventView } }>(DELIVERY_EVENT, {
      id: deliveryId,
    });
    expect(read.webhookDelivery.event).toMatchObject({
      ip: expect.stringMatching(/127\.0\.0\.1/),
      userAgent: USER_AGENT,
      actor: { email: admin.email },
    });
  });
});

/** Replayed deliveries of the endpoint (its live deliveries of other tests' events go on). */
async function replayedDeliveryCount(): Promise<number> {
  const [row] = await stack.db.query<{ count: string }>(
    `SELECT count(*) FROM jobs.webhook_deliveries WHERE endpoint_id = $1 AND origin = 'replay'`,
    [endpointId],
  );
  return Number(row!.count);
}

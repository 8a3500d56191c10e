import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { spawnService, type ServiceProcess } from '../../../scripts/lib/service-process';
import { eventually } from '../../../testing/eventually';
import { metricValue, postGraphQL, scrape } from '../../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';
import {
  answerChallenge,
  echoBody,
  isChallenge,
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookHandler,
  type WebhookReceiver,
} from '../../../testing/webhook-receiver';

// Webhooks end to end: gateway, auth, tenancy, jobs and the worker as real processes, and a
// local receiver on 127.0.0.1 (allow-listed with OUTBOUND_ALLOWED_CIDRS) that verifies every
// request with the stock `standardwebhooks` library. Retries are shortened to 100 ms, 200 ms:
// three attempts in all.

const tenantA = randomUUID();
const tenantB = randomUUID();
const tenantC = randomUUID();
const MAX_ENDPOINTS = 25;
const ENV = {
  OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
  WEBHOOK_RETRY_SCHEDULE: '100ms,200ms',
  WEBHOOK_TIMEOUT_MS: '4000',
  WEBHOOK_JOB_LOCK_MS: '2000',
  WEBHOOK_MAX_ENDPOINTS_PER_TENANT: String(MAX_ENDPOINTS),
  RELAY_POLL_MS: '100',
  RELAY_LOCK_RETRY_MS: '300',
};

let stack: TestStack;
let receiver: WebhookReceiver;
let admin: TestUser;
let member: TestUser;
let adminOfB: TestUser;
let adminOfC: TestUser;
/** Workers this file started besides the stack's (stopped in afterAll). */
const extraWorkers: ServiceProcess[] = [];
/** The secret of the endpoint at each receiver path: what its owner answers challenges with. */
const secrets = new Map<string, string>();

interface Endpoint {
  id: string;
  url: string;
  status: string;
  verifiedAt: string | null;
  eventTypes: string[];
  rateLimitPerSecond: number | null;
  disabledReason: string | null;
}
interface Delivery {
  id: string;
  status: string;
  origin: string;
  eventType: string;
  nextAttemptAt: string | null;
  event: { id: string; type: string; seq: string };
  endpoint: { id: string };
  attempts: {
    attempt: number;
    statusCode: number | null;
    durationMs: number;
    error: string | null;
    responseBody: string | null;
  }[];
}

const ENDPOINT_FIELDS = 'id url status verifiedAt eventTypes rateLimitPerSecond disabledReason';
const DELIVERY_FIELDS = `id status origin eventType nextAttemptAt event { id type seq } endpoint { id }
  attempts { attempt statusCode durationMs error responseBody }`;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'jobs'], worker: true, env: ENV });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'alpha', 'Alpha'), ($2, 'beta', 'Beta'), ($3, 'gamma', 'Gamma')`,
    [tenantA, tenantB, tenantC],
  );
  admin = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'ADMIN');
  member = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER');
  adminOfB = await signUpMember(stack.gatewayUrl, stack.db, tenantB, 'ADMIN');
  adminOfC = await signUpMember(stack.gatewayUrl, stack.db, tenantC, 'ADMIN');
}, 120_000);

afterAll(async () => {
  await Promise.all(extraWorkers.map((worker) => worker.stop('SIGKILL')));
  await stack?.stop();
  await receiver?.close();
});

async function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = admin.headers(tenantA),
) {
  const response = await postGraphQL<T>(stack.gatewayUrl, { query, variables }, headers);
  return { ...response, data: response.body.data, errors: response.body.errors };
}

/** The data of a call that must succeed. */
async function ok<T>(
  query: string,
  variables: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Promise<T> {
  const response = await gql<T>(query, variables, headers);
  if (response.errors || !response.data) throw new Error(`GraphQL failed: ${response.text}`);
  return response.data;
}

/** The error code of a call that must fail. */
async function failure(
  query: string,
  variables: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Promise<{ code: unknown; message: string }> {
  const response = await gql(query, variables, headers);
  const error = response.errors?.[0];
  if (!error) throw new Error(`expected an error: ${response.text}`);
  return { code: error.extensions?.code, message: error.message };
}

/**
 * A receiver path that answers challenges as the owner of the endpoint created for it does
 * (with its secret) and deliveries with `handler`.
 */
function path(name: string, handler: WebhookHandler = () => undefined): string {
  const route = `/${name}-${randomUUID().slice(0, 8)}`;
  receiver.route(route, (request) =>
    isChallenge(request) ? answerChallenge(request, secrets.get(route) ?? '') : handler(request),
  );
  return route;
}

/** Deliveries (not challenges) that reached `route`. */
function deliveriesAt(route: string): ReceivedWebhook[] {
  return receiver.at(route).filter((request) => !isChallenge(request));
}

async function waitForDeliveries(route: string, count: number, timeoutMs = 15_000) {
  await eventually(
    () => deliveriesAt(route).length >= count,
    timeoutMs,
    () => `${route}: ${count} deliveries (${deliveriesAt(route).length} arrived)`,
  );
  return deliveriesAt(route);
}

async function createEndpoint(
  input: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<{ endpoint: Endpoint; secret: string }> {
  const data = await ok<{ createWebhookEndpoint: { endpoint: Endpoint; secret: string } }>(
    `mutation ($input: WebhookEndpointInput!) {
       createWebhookEndpoint(input: $input) { secret endpoint { ${ENDPOINT_FIELDS} } } }`,
    { input },
    headers,
  );
  secrets.set(new URL(String(input.url)).pathname, data.createWebhookEndpoint.secret);
  return data.createWebhookEndpoint;
}

async function verify(id: string, headers?: Record<string, string>): Promise<Endpoint> {
  const data = await ok<{ verifyWebhookEndpoint: Endpoint }>(
    `mutation ($id: ID!) { verifyWebhookEndpoint(id: $id) { ${ENDPOINT_FIELDS} } }`,
    { id },
    headers,
  );
  return data.verifyWebhookEndpoint;
}

/** A verified, ACTIVE endpoint at a fresh receiver path. */
async function activeEndpoint(
  name: string,
  handler?: WebhookHandler,
  input: Record<string, unknown> = {},
) {
  const route = path(name, handler);
  const created = await createEndpoint({
    url: `${receiver.origin}${route}`,
    eventTypes: ['assets.asset.created'],
    ...input,
  });
  await verify(created.endpoint.id);
  return { route, id: created.endpoint.id, secret: created.secret };
}

async function sendTest(endpointId: string, eventType?: string): Promise<Delivery> {
  const data = await ok<{ sendTestWebhook: Delivery }>(
    `mutation ($id: ID!, $type: String) { sendTestWebhook(id: $id, eventType: $type) { ${DELIVERY_FIELDS} } }`,
    { id: endpointId, type: eventType ?? null },
  );
  return data.sendTestWebhook;
}

async function delivery(id: string, headers?: Record<string, string>): Promise<Delivery | null> {
  const data = await ok<{ webhookDelivery: Delivery | null }>(
    `query ($id: ID!) { webhookDelivery(id: $id) { ${DELIVERY_FIELDS} } }`,
    { id },
    headers,
  );
  return data.webhookDelivery;
}

async function waitForStatus(id: string, status: string, timeoutMs = 15_000): Promise<Delivery> {
  let current: Delivery | null = null;
  return eventually(
    async () => {
      current = await delivery(id);
      return current?.status === status ? current : undefined;
    },
    timeoutMs,
    () => `delivery ${id} ${status} (it is ${JSON.stringify(current)})`,
  );
}

async function endpoint(id: string): Promise<Endpoint | null> {
  const data = await ok<{ webhookEndpoint: Endpoint | null }>(
    `query ($id: ID!) { webhookEndpoint(id: $id) { ${ENDPOINT_FIELDS} } }`,
    { id },
  );
  return data.webhookEndpoint;
}

/** Verifies a received request with the library, as a tenant's server would. */
function verified(request: ReceivedWebhook, secret: string): Record<string, unknown> {
  return new Webhook(secret).verify(
    request.body,
    request.headers as Record<string, string>,
  ) as Record<string, unknown>;
}

async function journal(type: string): Promise<{ id: string; payload: Record<string, unknown> }[]> {
  const data = await ok<{ events: { nodes: { id: string; payload: Record<string, unknown> }[] } }>(
    `query ($types: [String!]) { events(first: 100, types: $types) { nodes { id payload } } }`,
    { types: [type] },
  );
  return data.events.nodes;
}

describe('endpoints', () => {
  it('creates an endpoint with a whsec_ secret shown once, stored only encrypted', async () => {
    const route = path('create');
    const { endpoint: created, secret } = await createEndpoint({
      url: `${receiver.origin}${route}`,
      description: '  orders  ',
      eventTypes: ['tenancy.member.*', 'assets.asset.created'],
      rateLimitPerSecond: 50,
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created).toMatchObject({
      url: `${receiver.origin}${route}`,
      status: 'PENDING_VERIFICATION',
      verifiedAt: null,
      eventTypes: ['tenancy.member.*', 'assets.asset.created'],
      rateLimitPerSecond: 50,
    });
    const [row] = await stack.db.query<{ secret_ciphertext: string; description: string }>(
      `SELECT secret_ciphertext, description FROM jobs.webhook_endpoints WHERE id = $1`,
      [created.id],
    );
    expect(row!.description).toBe('orders');
    expect(row!.secret_ciphertext).toMatch(/^v1\.dev\./);
    expect(row!.secret_ciphertext).not.toContain(secret.slice(6, 20));
    const listed = await ok<{ webhookEndpoints: { id: string }[] }>(`{ webhookEndpoints { id } }`);
    expect(listed.webhookEndpoints.map((e) => e.id)).toContain(created.id);
    const [event] = await journal('jobs.webhook_endpoint.created');
    expect(event!.payload).toEqual({
      endpointId: created.id,
      origin: receiver.origin,
      eventTypes: ['tenancy.member.*', 'assets.asset.created'],
    });
  });

  it.each([
    ['an ftp URL', 'ftp://hooks.example.com/x', /http or https/],
    ['credentials', 'http://user:secret@127.0.0.1/x', /credentials/],
    ['2049+ characters', `http://127.0.0.1/${'a'.repeat(2050)}`, /2048/],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', /not allowed/],
    ['a private address', 'http://10.0.0.1/hook', /not allowed/],
    // Outside the 127.0.0.0/8 exception: IPv6 loopback stays refused.
    ['IPv6 loopback', 'http://[::1]:8080/hook', /not allowed/],
    ['IPv4-mapped metadata', 'http://[::ffff:169.254.169.254]/hook', /not allowed/],
  ])('refuses a URL with %s (BAD_USER_INPUT)', async (_label, url, message) => {
    const error = await failure(
      `mutation ($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`,
      { input: { url, eventTypes: ['assets.asset.created'] } },
    );
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(message);
  });

  it.each([
    ['an unknown event type', { eventTypes: ['asset.created'] }, /not an event type/],
    ['a delivery event type', { eventTypes: ['jobs.webhook.delivery.dead'] }, /not an event type/],
    ['no event type', { eventTypes: [] }, /1 to 100/],
    ['a rate limit of 0', { rateLimitPerSecond: 0 }, /rateLimitPerSecond/],
    ['a 501-character description', { description: 'x'.repeat(501) }, /description/],
  ])('refuses an input with %s', async (_label, input, message) => {
    const error = await failure(
      `mutation ($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`,
      {
        input: { url: `${receiver.origin}/never`, eventTypes: ['assets.asset.created'], ...input },
      },
    );
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(error.message).toMatch(message);
  });

  it('verifies ownership: an echo server, or a proof made without the secret, stays PENDING_VERIFICATION', async () => {
    const route = `/no-proof-${randomUUID().slice(0, 8)}`;
    // Any third-party route that answers with what it was sent: it holds no secret.
    receiver.route(route, echoBody);
    const { endpoint: created, secret } = await createEndpoint({
      url: `${receiver.origin}${route}`,
      eventTypes: ['*'],
    });
    const verifyOnce = async () => {
      const response = await gql(`mutation ($id: ID!) { verifyWebhookEndpoint(id: $id) { id } }`, {
        id: created.id,
      });
      return response.errors![0]!;
    };
    const echoed = await verifyOnce();
    expect(echoed.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'url',
      reason: 'challenge-echoed',
    });
    expect(echoed.message).toMatch(/repeats the challenge instead of proving/);
    expect((await endpoint(created.id))!.status).toBe('PENDING_VERIFICATION');

    // The challenge was signed like any delivery.
    const [challenge] = receiver.at(route);
    const body = verified(challenge!, secret);
    expect(body).toMatchObject({
      type: 'webhook.endpoint.verification',
      challenge: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      data: { endpointId: created.id },
    });

    // Just the echoed challenge under the proof's name, a proof with another endpoint's
    // secret, and no proof at all fail too, each with its reason.
    const other = await createEndpoint({ url: `${receiver.origin}/other`, eventTypes: ['*'] });
    for (const [handler, reason] of [
      [
        (request: ReceivedWebhook) => ({
          body: JSON.stringify({
            proof: (JSON.parse(request.body) as { challenge: string }).challenge,
          }),
        }),
        'proof-mismatch',
      ],
      [(request: ReceivedWebhook) => answerChallenge(request, other.secret), 'proof-mismatch'],
      [() => ({ status: 200, body: '{"ok":true}' }), 'proof-missing'],
      [() => ({ status: 200, body: 'ok' }), 'not-json'],
    ] as const) {
      receiver.route(route, handler);
      expect((await verifyOnce()).extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    }
    expect((await endpoint(created.id))!.status).toBe('PENDING_VERIFICATION');

    receiver.route(route, () => ({ status: 404 }));
    expect(
      (
        await failure(`mutation ($id: ID!) { verifyWebhookEndpoint(id: $id) { id } }`, {
          id: created.id,
        })
      ).message,
    ).toMatch(/HTTP 404/);
    receiver.route(route, () => ({ status: 302, headers: { location: '/elsewhere' } }));
    expect(
      (
        await failure(`mutation ($id: ID!) { verifyWebhookEndpoint(id: $id) { id } }`, {
          id: created.id,
        })
      ).message,
    ).toMatch(/redirects are not followed/);
    // Sending to an unverified endpoint is refused.
    expect(
      await failure(`mutation ($id: ID!) { sendTestWebhook(id: $id) { id } }`, { id: created.id }),
    ).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/not verified/) });

    receiver.route(route, (request) => answerChallenge(request, secret));
    const active = await verify(created.id);
    expect(active.status).toBe('ACTIVE');
    expect(Date.parse(active.verifiedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('sends a changed URL back to PENDING_VERIFICATION and refuses ACTIVE until verified', async () => {
    const { id, secret } = await activeEndpoint('patch');
    const moved = path('patch-moved');
    secrets.set(moved, secret);
    const patched = await ok<{ updateWebhookEndpoint: Endpoint }>(
      `mutation ($id: ID!, $patch: WebhookEndpointPatch!) { updateWebhookEndpoint(id: $id, patch: $patch) { ${ENDPOINT_FIELDS} } }`,
      { id, patch: { url: `${receiver.origin}${moved}`, eventTypes: ['auth.*'] } },
    );
    expect(patched).toMatchObject({
      updateWebhookEndpoint: {
        status: 'PENDING_VERIFICATION',
        verifiedAt: null,
        eventTypes: ['auth.*'],
      },
    });
    const error = await failure(
      `mutation ($id: ID!) { updateWebhookEndpoint(id: $id, patch: { status: ACTIVE }) { id } }`,
      { id },
    );
    expect(error).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/verif/),
    });
    expect((await verify(id)).status).toBe('ACTIVE');
    const paused = await ok<{ updateWebhookEndpoint: Endpoint }>(
      `mutation ($id: ID!) { updateWebhookEndpoint(id: $id, patch: { status: PAUSED, rateLimitPerSecond: null }) { ${ENDPOINT_FIELDS} } }`,
      { id },
    );
    expect(paused.updateWebhookEndpoint).toMatchObject({
      status: 'PAUSED',
      rateLimitPerSecond: null,
    });

    expect(await ok(`mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id })).toEqual({
      deleteWebhookEndpoint: true,
    });
    expect(await endpoint(id)).toBeNull();
    expect(
      await failure(`mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id }),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });

  it(`allows at most ${MAX_ENDPOINTS} endpoints per tenant`, async () => {
    const headers = adminOfC.headers(tenantC);
    await Promise.all(
      Array.from({ length: MAX_ENDPOINTS }, (_, index) =>
        createEndpoint({ url: `${receiver.origin}/c/${index}`, eventTypes: ['*'] }, headers),
      ),
    );
    const error = await failure(
      `mutation { createWebhookEndpoint(input: { url: "${receiver.origin}/c/x", eventTypes: ["*"] }) { secret } }`,
      {},
      headers,
    );
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(error.message).toMatch(`at most ${MAX_ENDPOINTS}`);
  });
});

describe('delivery', () => {
  it("delivers a tenant mutation's event signed, with the event id as webhook-id", async () => {
    const { route, id, secret } = await activeEndpoint('events', undefined, {
      eventTypes: ['tenancy.tenant.*'],
    });
    await ok(`mutation { updateTenant(name: "Alpha Two") { name } }`);
    const [request] = await waitForDeliveries(route, 1);
    const body = verified(request!, secret);
    const [event] = await journal('tenancy.tenant.updated');
    expect(request!.headers['webhook-id']).toBe(event!.id);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(body).toEqual({
      id: event!.id,
      type: 'tenancy.tenant.updated',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      tenantId: tenantA,
      seq: expect.stringMatching(/^\d+$/),
      data: { tenantId: tenantA, name: 'Alpha Two', previousName: 'Alpha' },
    });

    // The worker records the attempt once the receiver has answered: wait for that record.
    const first = await eventually(async () => {
      const page = await ok<{
        webhookEndpoint: { deliveries: { nodes: Delivery[] } };
      }>(
        `query ($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 10) { nodes { ${DELIVERY_FIELDS} } } } }`,
        { id },
      );
      const [latest] = page.webhookEndpoint.deliveries.nodes;
      return latest?.status === 'SUCCEEDED' && latest;
    });
    expect(first).toMatchObject({
      status: 'SUCCEEDED',
      origin: 'EVENT',
      eventType: 'tenancy.tenant.updated',
      nextAttemptAt: null,
      event: { id: event!.id, type: 'tenancy.tenant.updated' },
      attempts: [{ attempt: 1, statusCode: 200, error: null, responseBody: 'ok' }],
    });
    const succeeded = (await journal('jobs.webhook.delivery.succeeded')).map((e) => e.payload);
    expect(succeeded).toContainEqual(
      expect.objectContaining({ eventId: event!.id, endpointId: id, statusCode: 200 }),
    );

    // Replay re-delivers the range, oldest first, with the same webhook-id.
    const replayed = await ok<{ replayEvents: number }>(
      `mutation ($id: ID!, $since: DateTime!) { replayEvents(endpointId: $id, since: $since) }`,
      { id, since: new Date(Date.now() - 600_000).toISOString() },
    );
    expect(replayed.replayEvents).toBe(1);
    const [, again] = await waitForDeliveries(route, 2);
    expect(again!.headers['webhook-id']).toBe(event!.id);
    expect(verified(again!, secret)).toEqual(body);
    expect(
      await ok(
        `mutation ($id: ID!, $since: DateTime!) { replayEvents(endpointId: $id, since: $since, types: ["tenancy.member.joined"]) }`,
        { id, since: new Date(Date.now() - 600_000).toISOString() },
      ),
    ).toEqual({ replayEvents: 0 });
    expect(
      await failure(
        `mutation ($id: ID!, $since: DateTime!, $until: DateTime) { replayEvents(endpointId: $id, since: $since, until: $until) }`,
        { id, since: new Date().toISOString(), until: new Date(Date.now() - 60_000).toISOString() },
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('signs with the old and the new secret during a rotation grace period', async () => {
    const { route, id, secret: old } = await activeEndpoint('rotate');
    const rotated = await ok<{ rotateWebhookSecret: { secret: string; endpoint: { id: string } } }>(
      `mutation ($id: ID!) { rotateWebhookSecret(id: $id, gracePeriodSeconds: 3600) { secret endpoint { id } } }`,
      { id },
    );
    const fresh = rotated.rotateWebhookSecret.secret;
    expect(fresh).not.toBe(old);
    await sendTest(id, 'assets.asset.created');
    const [request] = await waitForDeliveries(route, 1);
    expect(String(request!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verified(request!, fresh)).toMatchObject({ type: 'assets.asset.created' });
    expect(verified(request!, old)).toMatchObject({ type: 'assets.asset.created' });

    // Without a grace period the old secret stops at once.
    const again = await ok<{ rotateWebhookSecret: { secret: string } }>(
      `mutation ($id: ID!) { rotateWebhookSecret(id: $id, gracePeriodSeconds: 0) { secret } }`,
      { id },
    );
    await sendTest(id);
    const [, second] = await waitForDeliveries(route, 2);
    expect(String(second!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verified(second!, again.rotateWebhookSecret.secret)).toMatchObject({
      type: 'webhook.test',
    });
    expect(() => verified(second!, fresh)).toThrow(/No matching signature/);
  });

  it('retries a failing receiver with the same webhook-id until it succeeds', async () => {
    let calls = 0;
    const { route, id, secret } = await activeEndpoint('retry', () => {
      calls += 1;
      return calls <= 2 ? { status: 500, body: 'boom '.repeat(2_000) } : { status: 204 };
    });
    const sent = await sendTest(id);
    // The worker may have made its first attempt before the answer was read back.
    expect(sent).toMatchObject({ origin: 'TEST' });
    const done = await waitForStatus(sent.id, 'SUCCEEDED');
    const requests = deliveriesAt(route);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((request) => request.headers['webhook-id']))).toEqual(
      new Set([sent.event.id]),
    );
    for (const request of requests) verified(request, secret);
    expect(done.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 204]);
    // The answer is kept, cut at 4 KiB.
    expect(done.attempts[0]!.responseBody).toHaveLength(4096);
    expect(done.attempts[2]!.responseBody).toBeNull();
  });

  it('waits as long as Retry-After says before the next attempt', async () => {
    let calls = 0;
    const { route, id } = await activeEndpoint('retry-after', () => {
      calls += 1;
      return calls === 1 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 200 };
    });
    const sent = await sendTest(id);
    await waitForStatus(sent.id, 'SUCCEEDED');
    const [first, second] = deliveriesAt(route);
    // The schedule alone would retry after ~100 ms.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_900);
  });

  it('records a dead letter after the last attempt, and retryWebhookDelivery revives it', async () => {
    let healthy = false;
    const { route, id } = await activeEndpoint('dead', () =>
      healthy ? { status: 200 } : { status: 500 },
    );
    const sent = await sendTest(id);
    const dead = await waitForStatus(sent.id, 'DEAD');
    expect(dead.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500]);
    expect(dead.nextAttemptAt).toBeNull();
    const letters = await stack.db.query<{
      tenant_id: string;
      queue: string;
      job_name: string;
      reason: string;
      data: Record<string, unknown>;
    }>(
      `SELECT tenant_id, queue, job_name, reason, data FROM jobs.dead_letters WHERE data->>'deliveryId' = $1`,
      [sent.id],
    );
    expect(letters).toEqual([
      {
        tenant_id: tenantA,
        queue: 'webhook-delivery',
        job_name: 'deliver-webhook',
        reason: 'no 2xx answer after 3 attempts (last: HTTP 500)',
        data: expect.objectContaining({ deliveryId: sent.id, endpointId: id, tenantId: tenantA }),
      },
    ]);
    expect(JSON.stringify(letters[0]!.data)).not.toMatch(/whsec_/);
    // Replaying the letter would enqueue a copy the delivery never hands the work to.
    const [letter] = await stack.db.query<{ id: string }>(
      `SELECT id FROM jobs.dead_letters WHERE data->>'deliveryId' = $1`,
      [sent.id],
    );
    expect(
      await failure(`mutation ($id: ID!) { replayDeadLetter(id: $id) { id } }`, { id: letter!.id }),
    ).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/retryWebhookDelivery/) });
    expect(
      (await journal('jobs.webhook.delivery.dead')).map((e) => e.payload.deliveryId),
    ).toContain(sent.id);

    healthy = true;
    const retried = await ok<{ retryWebhookDelivery: Delivery }>(
      `mutation ($id: ID!) { retryWebhookDelivery(id: $id) { ${DELIVERY_FIELDS} } }`,
      { id: sent.id },
    );
    // The answer is the delivery as it stands once its new job is queued: PENDING, or already
    // SUCCEEDED when an idle worker was quicker than the read. No longer DEAD either way.
    expect(['PENDING', 'SUCCEEDED']).toContain(retried.retryWebhookDelivery.status);
    const revived = await waitForStatus(sent.id, 'SUCCEEDED');
    expect(revived.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500, 200]);
    expect(deliveriesAt(route)).toHaveLength(4);
    expect(
      await failure(`mutation ($id: ID!) { retryWebhookDelivery(id: $id) { id } }`, {
        id: sent.id,
      }),
    ).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/succeeded/) });
  });

  it('disables the endpoint on 410 Gone, with an event', async () => {
    let gone = true;
    const { id } = await activeEndpoint('gone', () => (gone ? { status: 410 } : { status: 200 }));
    const sent = await sendTest(id);
    const dead = await waitForStatus(sent.id, 'DEAD');
    expect(dead.attempts).toHaveLength(1);
    expect(await endpoint(id)).toMatchObject({
      status: 'DISABLED',
      disabledReason: 'the endpoint answered 410 Gone',
    });
    expect((await journal('jobs.webhook_endpoint.disabled')).map((e) => e.payload)).toContainEqual({
      endpointId: id,
      reason: 'the endpoint answered 410 Gone',
    });
    expect(
      await failure(`mutation ($id: ID!) { sendTestWebhook(id: $id) { id } }`, { id }),
    ).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/DISABLED/) });
    // Verifying again brings it back.
    gone = false;
    expect(await verify(id)).toMatchObject({ status: 'ACTIVE', disabledReason: null });
  });

  it('disables an endpoint that has failed for WEBHOOK_DISABLE_AFTER_DAYS', async () => {
    const { id } = await activeEndpoint('failing', () => ({ status: 502 }));
    await stack.db.query(
      `UPDATE jobs.webhook_endpoints SET failing_since = now() - interval '6 days' WHERE id = $1`,
      [id],
    );
    const sent = await sendTest(id);
    const dead = await waitForStatus(sent.id, 'DEAD');
    expect(dead.attempts).toHaveLength(1);
    expect(await endpoint(id)).toMatchObject({
      status: 'DISABLED',
      disabledReason: 'every attempt failed for 5 days',
    });
  });

  it('checks the address again at every delivery (SSRF after creation)', async () => {
    const { id } = await activeEndpoint('rebind');
    // As if DNS or the row changed after the endpoint was verified.
    await stack.db.query(
      `UPDATE jobs.webhook_endpoints SET url = 'http://169.254.169.254/latest/meta-data/' WHERE id = $1`,
      [id],
    );
    const sent = await sendTest(id);
    const dead = await waitForStatus(sent.id, 'DEAD');
    expect(dead.attempts).toHaveLength(3);
    for (const attempt of dead.attempts) {
      expect(attempt).toMatchObject({
        statusCode: null,
        error: expect.stringMatching(/not allowed/),
      });
    }
    await stack.db.query(
      `UPDATE jobs.webhook_endpoints SET url = 'http://10.0.0.1/hook' WHERE id = $1`,
      [id],
    );
    const second = await waitForStatus((await sendTest(id)).id, 'DEAD');
    expect(second.attempts[0]!.error).toMatch(/not allowed/);
  });

  it('pages deliveries newest first and filters them by status', async () => {
    let calls = 0;
    const { id } = await activeEndpoint('paging', () => {
      calls += 1;
      return calls === 1 ? { status: 410 } : { status: 200 };
    });
    const dead = await sendTest(id);
    await waitForStatus(dead.id, 'DEAD');
    await verify(id);
    const sent = [dead.id];
    for (let index = 0; index < 3; index += 1) {
      const next = await sendTest(id);
      await waitForStatus(next.id, 'SUCCEEDED');
      sent.push(next.id);
    }
    const query = `query ($id: ID!, $after: Cursor, $status: DeliveryStatus) {
      webhookEndpoint(id: $id) { deliveries(first: 2, after: $after, status: $status) {
        nodes { id status } pageInfo { endCursor hasNextPage } } } }`;
    type Page = {
      webhookEndpoint: {
        deliveries: {
          nodes: { id: string }[];
          pageInfo: { endCursor: string; hasNextPage: boolean };
        };
      };
    };
    const first = (await ok<Page>(query, { id })).webhookEndpoint.deliveries;
    expect(first.nodes.map((node) => node.id)).toEqual([sent[3], sent[2]]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await ok<Page>(query, { id, after: first.pageInfo.endCursor })).webhookEndpoint
      .deliveries;
    expect(second.nodes.map((node) => node.id)).toEqual([sent[1], sent[0]]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const deadOnly = (await ok<Page>(query, { id, status: 'DEAD' })).webhookEndpoint.deliveries;
    expect(deadOnly.nodes.map((node) => node.id)).toEqual([dead.id]);
    expect(await failure(query, { id, after: 'bm90LWEtY3Vyc29y' })).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });

  it('holds rateLimitPerSecond across two worker processes', async () => {
    const second = await spawnService('worker', { env: stack.envOf('worker') });
    extraWorkers.push(second);
    const LIMIT = 2;
    const COUNT = 8;
    const { route, id } = await activeEndpoint('throttle', undefined, {
      rateLimitPerSecond: LIMIT,
    });
    const outcomes = async (url: string) => {
      const page = await scrape(url);
      return {
        succeeded: metricValue(page, 'tessera_webhook_deliveries_total', { outcome: 'succeeded' }),
        throttled: metricValue(page, 'tessera_webhook_deliveries_total', { outcome: 'throttled' }),
      };
    };
    const before = await outcomes(stack.url('worker'));
    // One request sends the whole burst, so its deliveries are queued together. (The limiter's
    // window itself is tested with a moved clock in rate-limit.test.ts; arrival times at a
    // receiver carry scheduling noise and prove nothing about it.)
    const aliases = Array.from({ length: COUNT }, (_, index) => `d${index}`);
    const burst = await ok<Record<string, Delivery>>(
      `mutation ($id: ID!) { ${aliases
        .map((alias) => `${alias}: sendTestWebhook(id: $id) { ${DELIVERY_FIELDS} }`)
        .join(' ')} }`,
      { id },
    );
    const sent = aliases.map((alias) => burst[alias]!);
    await waitForDeliveries(route, COUNT, 30_000);
    for (const { id: deliveryId } of sent) await waitForStatus(deliveryId, 'SUCCEEDED');
    const [first, other] = await Promise.all([outcomes(stack.url('worker')), outcomes(second.url)]);
    // Both workers took part, drawing on one budget: a burst of COUNT at LIMIT per second was
    // put back at least COUNT - 2 × LIMIT times (the burst may straddle two windows).
    const firstThrottled = first.throttled - before.throttled;
    expect(first.succeeded - before.succeeded + firstThrottled).toBeGreaterThan(0);
    expect(other.succeeded + other.throttled).toBeGreaterThan(0);
    expect(firstThrottled + other.throttled).toBeGreaterThanOrEqual(COUNT - 2 * LIMIT);
  }, 60_000);

  it('loses no delivery when the worker is killed with SIGKILL mid-delivery', async () => {
    let calls = 0;
    const { route, id, secret } = await activeEndpoint('kill', () => {
      calls += 1;
      // The first request is held open until the worker sending it is gone.
      return calls === 1 ? { status: 200, delayMs: 8_000 } : { status: 200 };
    });
    const sent = await sendTest(id);
    await waitForDeliveries(route, 1);
    // Whichever worker holds the job, kill them all, then start a fresh one.
    const workers = [stack.processes.get('worker')!, ...extraWorkers.splice(0)];
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
    const fresh = await spawnService('worker', { env: stack.envOf('worker') });
    stack.processes.set('worker', fresh);

    const requests = await waitForDeliveries(route, 2, 30_000);
    expect(new Set(requests.map((request) => request.headers['webhook-id']))).toEqual(
      new Set([sent.event.id]),
    );
    for (const request of requests) verified(request, secret);
    const done = await waitForStatus(sent.id, 'SUCCEEDED', 20_000);
    expect(done.attempts.at(-1)!.statusCode).toBe(200);
    const page = await scrape(fresh.url);
    expect(
      metricValue(page, 'tessera_webhook_deliveries_total', { outcome: 'succeeded' }),
    ).toBeGreaterThan(0);
    expect(metricValue(page, 'tessera_webhook_delivery_duration_seconds_count')).toBeGreaterThan(0);
  }, 60_000);
});

describe('worker shutdown', () => {
  it('finishes the delivery in flight on SIGTERM and exits 0', async () => {
    const { route, id } = await activeEndpoint('drain', () => ({ status: 200, delayMs: 1_500 }));
    const sent = await sendTest(id);
    await waitForDeliveries(route, 1);
    expect(await stack.processes.get('worker')!.stop('SIGTERM')).toBe(0);
    // Recorded before the process exited, with no other worker running.
    expect((await delivery(sent.id))!.status).toBe('SUCCEEDED');
    expect(deliveriesAt(route)).toHaveLength(1);
    stack.processes.set('worker', await spawnService('worker', { env: stack.envOf('worker') }));
  }, 30_000);
});

describe('access', () => {
  let endpointId: string;
  let deliveryId: string;

  beforeAll(async () => {
    const { id } = await activeEndpoint('access');
    endpointId = id;
    deliveryId = (await sendTest(id)).id;
  });

  it("shows another tenant's admin none of this tenant's endpoints or deliveries", async () => {
    const headers = adminOfB.headers(tenantB);
    expect(await ok(`{ webhookEndpoints { id } }`, {}, headers)).toEqual({ webhookEndpoints: [] });
    expect(
      await ok(`query ($id: ID!) { webhookEndpoint(id: $id) { id } }`, { id: endpointId }, headers),
    ).toEqual({ webhookEndpoint: null });
    expect(await delivery(deliveryId, headers)).toBeNull();
    for (const mutation of [
      `mutation ($id: ID!) { updateWebhookEndpoint(id: $id, patch: { description: "x" }) { id } }`,
      `mutation ($id: ID!) { verifyWebhookEndpoint(id: $id) { id } }`,
      `mutation ($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`,
      `mutation ($id: ID!) { sendTestWebhook(id: $id) { id } }`,
      `mutation ($id: ID!) { deleteWebhookEndpoint(id: $id) }`,
      `mutation ($id: ID!) { replayEvents(endpointId: $id, since: "2020-01-01T00:00:00Z") }`,
    ]) {
      expect(await failure(mutation, { id: endpointId }, headers)).toMatchObject({
        code: 'NOT_FOUND',
      });
    }
    expect(
      await failure(
        `mutation ($id: ID!) { retryWebhookDelivery(id: $id) { id } }`,
        { id: deliveryId },
        headers,
      ),
    ).toMatchObject({ code: 'NOT_FOUND' });
    // Row-level security, below the services.
    const [{ count }] = (await stack.db.query<{ count: string }>(
      `SELECT count(*) FROM jobs.webhook_deliveries WHERE tenant_id = $1`,
      [tenantB],
    )) as [{ count: string }];
    expect(count).toBe('0');
  });

  it('refuses a MEMBER with FORBIDDEN', async () => {
    for (const query of [
      `{ webhookEndpoints { id } }`,
      `mutation { createWebhookEndpoint(input: { url: "${receiver.origin}/m", eventTypes: ["*"] }) { secret } }`,
    ]) {
      expect(await failure(query, {}, member.headers(tenantA))).toMatchObject({
        code: 'FORBIDDEN',
      });
    }
  });

  it('lets an API key with webhooks:manage manage endpoints (creating one takes events:read too), and no other key', async () => {
    const createKey = async (scopes: string[]) =>
      (
        await ok<{ createApiKey: { secret: string } }>(
          `mutation ($scopes: [String!]!) { createApiKey(name: "hooks", scopes: $scopes) { secret } }`,
          { scopes },
        )
      ).createApiKey.secret;
    const manage = { 'x-api-key': await createKey(['webhooks:manage']), 'x-tenant-id': tenantA };
    const route = path('api-key');
    const created = await createEndpoint(
      { url: `${receiver.origin}${route}`, eventTypes: ['assets.*'] },
      { 'x-api-key': await createKey(['webhooks:manage', 'events:read']), 'x-tenant-id': tenantA },
    );
    expect(created.endpoint.status).toBe('PENDING_VERIFICATION');
    expect((await verify(created.endpoint.id, manage)).status).toBe('ACTIVE');
    const listed = await ok<{ webhookEndpoints: { id: string }[] }>(
      `{ webhookEndpoints { id } }`,
      {},
      manage,
    );
    expect(listed.webhookEndpoints.map((e) => e.id)).toContain(created.endpoint.id);

    const readOnly = { 'x-api-key': await createKey(['events:read']), 'x-tenant-id': tenantA };
    expect(await failure(`{ webhookEndpoints { id } }`, {}, readOnly)).toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});

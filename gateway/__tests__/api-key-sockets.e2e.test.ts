import { randomUUID } from 'node:crypto';
import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';
import { serviceEnv } from '../../testing/chaos/fixtures';
import { postGraphQL, type GraphQLResponse } from '../../testing/graphql-client';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../testing/members';
import { startStack, type TestStack } from '../../testing/stack';
import { connectWs, waitFor, type WsClient } from '../../testing/ws-client';

// An API key's open sockets end when the key does: revoked, expired, past its rotation grace,
// or its tenant suspended. Each case holds a live subscription on two gateway processes and
// waits for both sockets to close with 4403; no case waits a fixed time.

let stack: TestStack;
let gateway2: ServiceProcess;
let platformAdmin: TestUser;
const clients: WsClient[] = [];

const EVENTS = 'subscription ($after: String) { events(afterSeq: $after) { seq type } }';
const CREATE = `mutation ($expiresAt: DateTime) {
  createApiKey(name: "stream", scopes: ["events:read"], expiresAt: $expiresAt) {
    secret apiKey { id } } }`;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'jobs'] });
  gateway2 = await spawnService('gateway', { env: serviceEnv(stack, 'gateway') });
  platformAdmin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await gateway2?.stop();
  await stack?.stop();
});

const gateways = () => [stack.gatewayUrl, `${gateway2.url}/graphql`];

/** A tenant of its own with an ADMIN, so one case's suspension touches no other. */
async function tenantWithAdmin(): Promise<{ tenantId: string; admin: TestUser }> {
  const tenantId = randomUUID();
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, 'K')`, [
    tenantId,
    `keys-${tenantId.slice(0, 8)}`,
  ]);
  return { tenantId, admin: await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'ADMIN') };
}

async function createKey(admin: TestUser, tenantId: string, expiresAt?: Date) {
  const response = await postGraphQL<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
    stack.gatewayUrl,
    { query: CREATE, variables: { expiresAt: expiresAt?.toISOString() } },
    admin.headers(tenantId),
  );
  if (!response.body.data) throw new Error(`createApiKey failed: ${response.text}`);
  return response.body.data.createApiKey;
}

function mutate(query: string, headers: Record<string, string>) {
  return postGraphQL(stack.gatewayUrl, { query }, headers);
}

/**
 * A subscription with the key on each gateway, live: each has replayed the tenant's newest
 * event (the key's creation), so the socket is authenticated and streaming.
 */
async function streamOnBothGateways(secret: string, tenantId: string): Promise<WsClient[]> {
  const [row] = await stack.db.query<{ seq: string }>(
    `SELECT (max(seq) - 1)::text AS seq FROM events.events WHERE tenant_id = $1`,
    [tenantId],
  );
  const opened = gateways().map((url) => connectWs(url, { apiKey: secret, tenantId }));
  clients.push(...opened);
  const streams = opened.map((client) =>
    client.subscribe<{ events: { seq: string } }>(EVENTS, { after: row!.seq }),
  );
  await waitFor(() => streams.every((stream) => stream.results.length > 0));
  return opened;
}

/** The close codes of the sockets, once all are closed (a bounded wait, never a fixed one). */
async function closeCodes(opened: WsClient[]): Promise<number[]> {
  const codes: (number | undefined)[] = opened.map(() => undefined);
  opened.forEach((client, i) => void client.closed.then((code) => (codes[i] = code)));
  await waitFor(() => codes.every((code) => code !== undefined), 15_000).catch(() => {
    throw new Error(`sockets still open: ${JSON.stringify(codes)}`);
  });
  return codes as number[];
}

function refused(response: GraphQLResponse): boolean {
  return (
    response.status === 401 && response.body.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED'
  );
}

it("closes a revoked key's sockets on every gateway, and refuses it over HTTP on both", async () => {
  const { tenantId, admin } = await tenantWithAdmin();
  const { secret, apiKey } = await createKey(admin, tenantId);
  const opened = await streamOnBothGateways(secret, tenantId);
  // Both gateways have the key in their caches now.
  for (const url of gateways()) {
    expect(
      (
        await postGraphQL(
          url,
          { query: '{ tenant { id } }' },
          {
            'x-api-key': secret,
            'x-tenant-id': tenantId,
          },
        )
      ).status,
    ).toBe(200);
  }

  const revoked = await mutate(
    `mutation { revokeApiKey(id: "${apiKey.id}") }`,
    admin.headers(tenantId),
  );
  expect(revoked.body.errors).toBeUndefined();
  expect(await closeCodes(opened)).toEqual([4403, 4403]);
  for (const url of gateways()) {
    await waitFor(async () =>
      refused(
        await postGraphQL(
          url,
          { query: '{ tenant { id } }' },
          {
            'x-api-key': secret,
            'x-tenant-id': tenantId,
          },
        ),
      ),
    );
  }
});

it("closes the old key's sockets on every gateway when its rotation grace ends", async () => {
  const { tenantId, admin } = await tenantWithAdmin();
  const { secret, apiKey } = await createKey(admin, tenantId);
  const opened = await streamOnBothGateways(secret, tenantId);

  const rotated = await mutate(
    `mutation { rotateApiKey(id: "${apiKey.id}", gracePeriodSeconds: 1) { secret } }`,
    admin.headers(tenantId),
  );
  expect(rotated.body.errors).toBeUndefined();
  expect(await closeCodes(opened)).toEqual([4403, 4403]);
});

it("closes a key's sockets on every gateway when the key expires", async () => {
  const { tenantId, admin } = await tenantWithAdmin();
  // Long enough to connect on a loaded machine; the sockets close when it passes.
  const { secret } = await createKey(admin, tenantId, new Date(Date.now() + 6_000));
  const opened = await streamOnBothGateways(secret, tenantId);
  expect(await closeCodes(opened)).toEqual([4403, 4403]);
});

it("closes a key's sockets on every gateway when its tenant is suspended", async () => {
  const { tenantId, admin } = await tenantWithAdmin();
  const { secret } = await createKey(admin, tenantId);
  const opened = await streamOnBothGateways(secret, tenantId);

  const suspended = await mutate(
    `mutation { adminSetTenantStatus(tenantId: "${tenantId}", status: SUSPENDED) { status } }`,
    platformAdmin.headers(),
  );
  expect(suspended.body.errors).toBeUndefined();
  expect(await closeCodes(opened)).toEqual([4403, 4403]);
});

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';
import { usageReportCall } from '../../platform/contracts/observability/usage-report';
import { repoRoot } from '../../platform/paths';
import { createTenant, serviceEnv, type ChaosTenant } from '../../testing/chaos/fixtures';
import { eventually } from '../../testing/eventually';
import {
  metricValue,
  postGraphQL,
  scrape,
  type GraphQLResponse,
  codeOf,
} from '../../testing/graphql-client';
import { postInternal } from '../../testing/internal-requests';
import { signUpMember, signUpPlatformAdmin, type TestUser } from '../../testing/members';
import { startStack, type TestStack } from '../../testing/stack';
import { verifiedEndpoint } from '../../testing/webhook-endpoints';
import { startWebhookReceiver, type WebhookReceiver } from '../../testing/webhook-receiver';
import { connectWs, waitFor, type WsClient } from '../../testing/ws-client';

// Usage per tenant and day through the real gateway: a known workload, then tenantUsage as the
// tenant's admin and as a platform admin; other tenants' callers, members and bad ranges are
// refused with codes; the quota hook refuses through a second gateway.

const USAGE_FIELDS =
  'day requests queries mutations subscriptions responseBytes webhookDeliveries peakSubscriptions';
const today = () => new Date().toISOString().slice(0, 10);

let stack: TestStack;
let tenant: ChaosTenant;
let other: ChaosTenant;
let admin: TestUser;
/** The tenant the platform admin's requests name (X-Tenant-Id), so theirs count nowhere else. */
let observer: ChaosTenant;
let socket: WsClient | undefined;
let quotaGateway: ServiceProcess | undefined;
let receiver: WebhookReceiver | undefined;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'jobs', 'observability'],
    worker: true,
    env: {
      GATEWAY_USAGE_FLUSH_MS: '200',
      WORKER_USAGE_FLUSH_MS: '200',
      WORKER_STORAGE_SAMPLE_MS: '200',
      // The test's webhook receiver listens on this machine.
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      RELAY_POLL_MS: '100',
    },
  });
  [tenant, other, observer] = await Promise.all([
    createTenant(stack),
    createTenant(stack),
    createTenant(stack),
  ]);
  admin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
}, 60_000);

afterAll(async () => {
  await socket?.dispose();
  await quotaGateway?.stop();
  await receiver?.close();
  await stack?.stop();
});

function usage(
  caller: TestUser,
  args: { from: string; to: string; tenantId?: string },
  tenantHeader: string | undefined = caller === admin ? observer.tenantId : undefined,
): Promise<GraphQLResponse<{ tenantUsage: Record<string, unknown>[] }>> {
  return postGraphQL(
    stack.gatewayUrl,
    {
      query: `query ($from: String!, $to: String!, $tenantId: ID) {
        tenantUsage(from: $from, to: $to, tenantId: $tenantId) { ${USAGE_FIELDS} }
      }`,
      variables: args,
    },
    caller.headers(tenantHeader),
  );
}

it('counts a known workload: requests, operations by type, response bytes and peak live subscriptions', async () => {
  const headers = tenant.owner.headers(tenant.tenantId);
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    const answer = await postGraphQL(stack.gatewayUrl, { query: '{ tenant { id } }' }, headers);
    expect(answer.body.errors).toBeUndefined();
    bytes += Buffer.byteLength(answer.text);
  }
  for (let i = 0; i < 2; i++) {
    const answer = await postGraphQL(
      stack.gatewayUrl,
      {
        query: 'mutation ($n: String) { updateTenant(name: $n) { name } }',
        variables: { n: `U${i}` },
      },
      headers,
    );
    expect(answer.body.errors).toBeUndefined();
    bytes += Buffer.byteLength(answer.text);
  }
  socket = connectWs(stack.gatewayUrl, tenant.connectionParams);
  const subscribed = socket.subscribe('subscription { events { seq } }');
  await waitFor(
    async () =>
      metricValue(await scrape(stack.url('gateway')), 'tessera_usage_operations_total', {
        operation_type: 'subscription',
      }) >= 1,
  );
  subscribed.unsubscribe();

  const expected = {
    day: today(),
    requests: 6,
    queries: 3,
    mutations: 2,
    subscriptions: 1,
    responseBytes: bytes,
    webhookDeliveries: 0,
    peakSubscriptions: 1,
  };
  // A platform admin names the tenant (from a tenant of its own, whose usage this read adds to).
  const asAdmin = await eventually(async () => {
    const answer = await usage(admin, { from: today(), to: today(), tenantId: tenant.tenantId });
    const [day] = answer.body.data?.tenantUsage ?? [];
    return day && day.requests === 6 && day.peakSubscriptions === 1 && answer;
  });
  expect(asAdmin.body.data?.tenantUsage).toEqual([expected]);

  // The tenant's owner reads its own (this read is a query of the tenant too, counted from now).
  const asOwner = await usage(tenant.owner, { from: today(), to: today() }, tenant.tenantId);
  expect(asOwner.body.data?.tenantUsage).toEqual([
    {
      ...expected,
      requests: expect.any(Number),
      queries: expect.any(Number),
      responseBytes: expect.any(Number),
    },
  ]);
  expect(asOwner.body.data?.tenantUsage[0]?.queries).toBeGreaterThanOrEqual(3);
  // The other tenant did nothing: no row.
  const quiet = await usage(admin, { from: today(), to: today(), tenantId: other.tenantId });
  expect(quiet.body.data?.tenantUsage).toEqual([]);

  // Prometheus has totals only: no tenant label anywhere in the usage metrics.
  const page = await scrape(stack.url('gateway'));
  // (The admin's tenantUsage reads are queries of its own tenant, so queries and bytes are more.)
  expect(metricValue(page, 'tessera_usage_operations_total', { operation_type: 'mutation' })).toBe(
    2,
  );
  expect(
    metricValue(page, 'tessera_usage_operations_total', { operation_type: 'subscription' }),
  ).toBe(1);
  expect(metricValue(page, 'tessera_usage_response_bytes_total')).toBeGreaterThanOrEqual(bytes);
  expect(
    page.split('\n').filter((line) => line.startsWith('tessera_usage') && line.includes('tenant')),
  ).toEqual([]);
});

it('counts the webhook deliveries the worker made to the tenant’s endpoints', async () => {
  const hooks = await createTenant(stack);
  const headers = hooks.owner.headers(hooks.tenantId);
  receiver = await startWebhookReceiver();
  const endpoint = await verifiedEndpoint(stack.gatewayUrl, headers, receiver, {
    eventTypes: ['tenancy.tenant.updated'],
  });
  for (const name of ['Hooked 1', 'Hooked 2']) {
    const updated = await postGraphQL(
      stack.gatewayUrl,
      {
        query: 'mutation ($n: String) { updateTenant(name: $n) { name } }',
        variables: { n: name },
      },
      headers,
    );
    expect(updated.body.errors).toBeUndefined();
  }
  await waitFor(() => endpoint.deliveries().length === 2, 20_000);
  const day = await eventually(async () => {
    const answer = await usage(admin, { from: today(), to: today(), tenantId: hooks.tenantId });
    const [row] = answer.body.data?.tenantUsage ?? [];
    // The gateway and the worker flush their counts independently: wait for both.
    return row?.webhookDeliveries === 2 && row.mutations === 4 && row;
  });
  // Creating and verifying the endpoint, and the two updates.
  expect(day).toMatchObject({ webhookDeliveries: 2, mutations: 4 });
});

it('keeps the most bytes the tenant’s assets held each day, as the worker samples them', async () => {
  const stored = await createTenant(stack);
  const addAsset = (sizeBytes: number, status = 'READY') =>
    stack.db.query(
      `INSERT INTO assets.assets
         (tenant_id, name, content_type, size_bytes, status, owner_id, deleted_at, completed_at)
       VALUES ($1, 'a.bin', 'application/octet-stream', $2, $3, $4, $5, $6)`,
      [
        stored.tenantId,
        sizeBytes,
        status,
        stored.owner.id,
        status === 'DELETED' ? new Date() : null,
        status === 'PENDING' ? null : new Date(),
      ],
    );
  const storageOf = async (tenantId: string) => {
    const answer = await postGraphQL<{ tenantUsage: { storageBytes: number }[] }>(
      stack.gatewayUrl,
      {
        query: `query ($d: String!, $t: ID) { tenantUsage(from: $d, to: $d, tenantId: $t) { storageBytes } }`,
        variables: { d: today(), t: tenantId },
      },
      admin.headers(observer.tenantId),
    );
    return answer.body.data?.tenantUsage[0]?.storageBytes ?? 0;
  };
  // What the quota counts: pending uploads and soft-deleted assets hold their bytes too.
  await addAsset(1_000);
  await addAsset(24, 'PENDING');
  await addAsset(500, 'DELETED');
  expect(await eventually(async () => (await storageOf(stored.tenantId)) === 1_524)).toBe(true);
  // The day keeps its largest sample: a purge later in the day lowers nothing. A second
  // tenant's first bytes, seen after the purge, show a sample has run since (one pass covers
  // every tenant).
  await stack.db.query(`DELETE FROM assets.assets WHERE tenant_id = $1 AND size_bytes = 1000`, [
    stored.tenantId,
  ]);
  const later = await createTenant(stack);
  await stack.db.query(
    `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, status, owner_id, completed_at)
     VALUES ($1, 'b.bin', 'application/octet-stream', 7, 'READY', $2, now())`,
    [later.tenantId, later.owner.id],
  );
  expect(await eventually(async () => (await storageOf(later.tenantId)) === 7)).toBe(true);
  expect(await storageOf(stored.tenantId)).toBe(1_524);
  // Another tenant's bytes stay its own.
  expect(await storageOf(other.tenantId)).toBe(0);
});

it('another tenant’s callers, plain members and anonymous callers cannot read a tenant’s usage', async () => {
  const range = { from: today(), to: today() };
  // Naming the tenant from one's own tenant.
  const named = await usage(other.owner, { ...range, tenantId: tenant.tenantId }, other.tenantId);
  expect(codeOf(named)).toBe('FORBIDDEN');
  expect(named.body.data ?? null).toBeNull();
  // Sending the tenant's header without belonging to it.
  expect(codeOf(await usage(other.owner, range, tenant.tenantId))).toBe('FORBIDDEN');
  // A member below ADMIN.
  const member = await signUpMember(stack.gatewayUrl, stack.db, tenant.tenantId, 'MEMBER');
  expect(codeOf(await usage(member, range, tenant.tenantId))).toBe('FORBIDDEN');
  // No tenant at all.
  expect(codeOf(await usage(tenant.owner, range))).toBe('TENANT_REQUIRED');
  // Anonymous.
  const anonymous = await postGraphQL(
    stack.gatewayUrl,
    { query: `{ tenantUsage(from: "${today()}", to: "${today()}") { day } }` },
    { 'x-tenant-id': tenant.tenantId },
  );
  expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
});

it('refuses bad ranges with BAD_USER_INPUT: reversed, longer than 366 days, not a day', async () => {
  const cases: [string, string, string][] = [
    ['2026-03-02', '2026-03-01', 'from'],
    ['2025-01-01', '2026-01-02', 'to'],
    ['2026-02-30', '2026-03-01', 'from'],
    ['yesterday', '2026-03-01', 'from'],
  ];
  for (const [from, to, field] of cases) {
    const answer = await usage(tenant.owner, { from, to }, tenant.tenantId);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  }
  // Exactly 366 days is allowed.
  const year = await usage(tenant.owner, { from: '2024-01-01', to: '2024-12-31' }, tenant.tenantId);
  expect(year.body.errors).toBeUndefined();
  // A malformed tenant id from a platform admin.
  const bad = await usage(admin, { from: today(), to: today(), tenantId: 'not-a-uuid' });
  expect(codeOf(bad)).toBe('BAD_USER_INPUT');
});

it('attack: only the gateway and the worker may report usage, and a report is applied once', async () => {
  const delta = {
    tenantId: other.tenantId,
    day: today(),
    requests: 1_000_000,
    queries: 0,
    mutations: 0,
    subscriptions: 0,
    responseBytes: 0,
    webhookDeliveries: 0,
    peakSubscriptions: 0,
  };
  const forged = await postInternal(stack, usageReportCall, { deltas: [delta] }, { as: 'auth' });
  expect(forged.status).toBe(403);
  const nonce = randomUUID();
  const first = await postInternal(stack, usageReportCall, { deltas: [delta] }, { nonce });
  expect(first.status).toBe(200);
  const replayed = await postInternal(stack, usageReportCall, { deltas: [delta] }, { nonce });
  expect(replayed.status).toBeGreaterThanOrEqual(400);
  const oversized = await postInternal(stack, usageReportCall, {
    deltas: Array.from({ length: 501 }, () => delta),
  });
  expect(oversized.status).toBeGreaterThanOrEqual(400);
  const answer = await usage(admin, { from: today(), to: today(), tenantId: other.tenantId });
  // Applied once (the other tenant's own few requests of the earlier test come on top).
  const requests = Number(answer.body.data?.tenantUsage[0]?.requests);
  expect(requests).toBeGreaterThanOrEqual(1_000_000);
  expect(requests).toBeLessThan(1_000_100);
});

it('the usage quota hook refuses with QUOTA_EXCEEDED before the operation runs', async () => {
  quotaGateway = await spawnService('gateway', {
    env: {
      ...serviceEnv(stack, 'gateway'),
      GATEWAY_USAGE_QUOTA_MODULE: join(repoRoot(), 'dist/testing/refusing-usage-quota.js'),
    },
  });
  const url = `${quotaGateway.url}/graphql`;
  const headers = tenant.owner.headers(tenant.tenantId);
  const refused = await postGraphQL(
    url,
    { query: 'mutation { updateTenant(name: "Over quota") { name } }' },
    headers,
  );
  expect(refused.status).toBe(429);
  expect(codeOf(refused)).toBe('QUOTA_EXCEEDED');
  // Nothing ran: the name is unchanged.
  const read = await postGraphQL(url, { query: '{ tenant { name } }' }, headers);
  expect(read.body.errors).toBeUndefined();
  expect(read.body.data).not.toEqual({ tenant: { name: 'Over quota' } });
});

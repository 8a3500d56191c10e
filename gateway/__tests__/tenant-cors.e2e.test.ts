import { randomUUID } from 'node:crypto';
import { eventually } from '../../testing/eventually';
import { metricValue, postGraphQL, scrape } from '../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../testing/members';
import { startStack, type TestStack } from '../../testing/stack';

// The gateway's CORS with the origins tenants allow (tenant settings), through the real
// processes: a request is admitted for the tenant it names, a preflight (which names none)
// when some tenant allows the origin; tenancy answers the gateway's signed lookups, each
// gateway pod caches the answers (short TTLs here) and drops them when tenancy announces a
// change on Redis.

// Short enough to wait out, long enough that a check right after a cached answer still finds
// it on a loaded machine.
const TTL_SECONDS = 5;
const DENY_TTL_SECONDS = 4;
const APP_ORIGIN = 'https://configured.example.com';

let stack: TestStack;
const tenantId = randomUUID();
const doomedTenantId = randomUUID();
let admin: TestUser;
let doomedOwner: TestUser;

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth', 'tenancy'],
    env: {
      CORS_ALLOWED_ORIGINS: APP_ORIGIN,
      CORS_TENANT_ORIGIN_TTL_SECONDS: String(TTL_SECONDS),
      CORS_TENANT_ORIGIN_DENY_TTL_SECONDS: String(DENY_TTL_SECONDS),
    },
  });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, $2, 'Shop'), ($3, $4, 'Doomed')`,
    [tenantId, `shop-${tenantId.slice(0, 8)}`, doomedTenantId, `doomed-${tenantId.slice(0, 8)}`],
  );
  [admin, doomedOwner] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenantId, 'ADMIN'),
    signUpMember(stack.gatewayUrl, stack.db, doomedTenantId, 'OWNER'),
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const newOrigin = (label: string) => `https://${label}-${randomUUID().slice(0, 8)}.example.com`;

function preflight(origin: string): Promise<Response> {
  return fetch(stack.gatewayUrl, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization, x-tenant-id',
    },
  });
}

/** Whether the gateway lets a page on `origin` read its answer: preflight, then the request. */
async function accepted(origin: string): Promise<boolean> {
  const answer = await preflight(origin);
  if (answer.status === 403) return false;
  expect(answer.status).toBe(204);
  expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
  return true;
}

async function expectRefused(origin: string): Promise<void> {
  const answer = await preflight(origin);
  expect(answer.status).toBe(403);
  expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  const request = await postGraphQL(stack.gatewayUrl, { query: '{ __typename }' }, { origin });
  expect(request.status).toBe(200);
  expect(request.headers.get('access-control-allow-origin')).toBeNull();
}

async function expectAccepted(origin: string, user: TestUser, tenant: string): Promise<void> {
  expect(await accepted(origin)).toBe(true);
  const request = await postGraphQL(
    stack.gatewayUrl,
    { query: '{ tenant { id } }' },
    { origin, ...user.headers(tenant) },
  );
  expect(request.body.data).toEqual({ tenant: { id: tenant } });
  expect(request.headers.get('access-control-allow-origin')).toBe(origin);
  expect(request.headers.get('access-control-allow-credentials')).toBe('true');
  expect(request.headers.get('vary')).toBe('Origin');
}

async function setOrigins(user: TestUser, tenant: string, origins: string[]): Promise<void> {
  const response = await postGraphQL<{
    updateTenantSettings: { settings: { allowedOrigins: string[] } };
  }>(
    stack.gatewayUrl,
    {
      query: `mutation ($input: TenantSettingsInput!) {
        updateTenantSettings(input: $input) { settings { allowedOrigins } } }`,
      variables: { input: { allowedOrigins: origins } },
    },
    user.headers(tenant),
  );
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data?.updateTenantSettings.settings.allowedOrigins).toEqual(origins);
}

async function lookups(): Promise<{ hit: number; miss: number; error: number }> {
  const page = await scrape(stack.url('gateway'));
  const count = (result: string) =>
    metricValue(page, 'tessera_cors_tenant_origin_lookups_total', { result });
  return { hit: count('hit'), miss: count('miss'), error: count('error') };
}

describe("tenants' allowed origins", () => {
  it('refuses an origin until a tenant ADMIN allows it, and again once it is removed', async () => {
    const origin = newOrigin('shop');
    await expectRefused(origin);

    await setOrigins(admin, tenantId, [origin]);
    // Announced on Redis, which drops the refusal cached for the negative TTL.
    await eventually(() => accepted(origin));
    await expectAccepted(origin, admin, tenantId);

    await setOrigins(admin, tenantId, []);
    await eventually(async () => !(await accepted(origin)));
    await expectRefused(origin);
  });

  it('takes a change nobody announced into account within the TTL', async () => {
    const origin = newOrigin('quiet');
    // Written behind tenancy's back: no announcement, only the TTLs bound the staleness.
    const write = (origins: string[]) =>
      stack.db.query(
        `INSERT INTO tenancy.tenant_settings (tenant_id, allowed_origins) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET allowed_origins = excluded.allowed_origins`,
        [tenantId, origins],
      );
    await expectRefused(origin);
    await write([origin]);
    await eventually(() => accepted(origin));

    await write([]);
    // Still cached as allowed: tenancy was not told, so nobody dropped the answer.
    expect(await accepted(origin)).toBe(true);
    await eventually(async () => !(await accepted(origin)));
  });

  it('counts cache hits and misses', async () => {
    const origin = newOrigin('counted');
    await setOrigins(admin, tenantId, [origin]);
    await eventually(() => accepted(origin));
    const before = await lookups();
    for (let i = 0; i < 3; i += 1) expect(await accepted(origin)).toBe(true);
    const afterHits = await lookups();
    expect(afterHits.hit - before.hit).toBeGreaterThanOrEqual(2);

    // A made-up origin is asked about once, then answered from the cache while refused.
    const unknown = newOrigin('unknown');
    await expectRefused(unknown);
    const afterMiss = await lookups();
    expect(afterMiss.miss - afterHits.miss).toBe(1);
    expect(await accepted(unknown)).toBe(false);
    expect((await lookups()).hit - afterMiss.hit).toBe(1);
  });

  it('never asks about values a browser would not send as an origin', async () => {
    const before = await lookups();
    for (const origin of ['null', 'https://UPPER.example.com', 'https://a.example.com/', '*']) {
      const answer = await preflight(origin);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    }
    const after = await lookups();
    expect(after.miss + after.error).toBe(before.miss + before.error);
  });

  it("admits a tenant's origin only for requests naming that tenant", async () => {
    const origin = newOrigin('own');
    await setOrigins(admin, tenantId, [origin]);
    await eventually(() => accepted(origin));
    await expectAccepted(origin, admin, tenantId);
    // Another tenant's request from that page: answered, but the page may not read it.
    const other = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ tenant { id } }' },
      { origin, ...doomedOwner.headers(doomedTenantId) },
    );
    expect(other.body.data).toEqual({ tenant: { id: doomedTenantId } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toBe('Origin');
    // A request naming no tenant, or a tenant id that is no UUID, is no tenant's either.
    for (const headers of [admin.headers(), { ...admin.headers(), 'x-tenant-id': 'shop' }]) {
      const answer = await postGraphQL(
        stack.gatewayUrl,
        { query: '{ me { id } }' },
        {
          origin,
          ...headers,
        },
      );
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    }
    // The tenant's frontend sends X-Tenant-Id with tenantless operations too.
    const me = await postGraphQL(
      stack.gatewayUrl,
      { query: '{ me { id } }' },
      {
        origin,
        ...admin.headers(tenantId),
      },
    );
    expect(me.body.data).toEqual({ me: { id: admin.id } });
    expect(me.headers.get('access-control-allow-origin')).toBe(origin);
  });

  it("drops a deleted tenant's origins", async () => {
    const origin = newOrigin('doomed');
    await setOrigins(doomedOwner, doomedTenantId, [origin]);
    await eventually(() => accepted(origin));
    const deleted = await postGraphQL(
      stack.gatewayUrl,
      { query: `mutation { deleteTenant(confirmSlug: "doomed-${tenantId.slice(0, 8)}") }` },
      doomedOwner.headers(doomedTenantId),
    );
    expect(deleted.body.data).toEqual({ deleteTenant: true });
    await eventually(async () => !(await accepted(origin)));
  });

  it('keeps configured origins and refuses uncached tenant origins while tenancy is down', async () => {
    const origin = newOrigin('outage');
    await setOrigins(admin, tenantId, [origin]);
    await eventually(() => accepted(origin));
    await stack.processes.get('tenancy')!.stop();
    const before = await lookups();

    const fresh = newOrigin('fresh');
    expect(await accepted(fresh)).toBe(false);
    expect((await lookups()).error - before.error).toBe(1);
    expect((await preflight(APP_ORIGIN)).status).toBe(204);
    // Refused, never remembered: the next request asks again.
    expect(await accepted(fresh)).toBe(false);
    expect((await lookups()).error - before.error).toBe(2);
  });
});

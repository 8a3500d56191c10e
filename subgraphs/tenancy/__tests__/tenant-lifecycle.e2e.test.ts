import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { tenantPurgeCall } from '../../../platform/contracts/subgraphs/tenant-purge';
import { tenantOriginsCall } from '../../../platform/contracts/tenancy/tenant-origins';
import {
  tenantPurgeJobId,
  TENANT_PURGE_QUEUE,
} from '../../../platform/contracts/jobs/tenant-purge-job';
import { queuePrefix } from '../../../platform/redis/connection';
import { DEFAULT_RETENTION_DAYS } from '../../../platform/contracts/tenancy/tenant-settings';
import { postGraphQL, type GraphQLResponse, codeOf, dataOf } from '../../../testing/graphql-client';
import { signUpPlatformAdmin, signUpMember, type TestUser } from '../../../testing/members';
import { eventually } from '../../../testing/eventually';
import { postInternal, refusalCode } from '../../../testing/internal-requests';
import { TEST_REDIS_URL } from '../../../testing/services';
import { startStack, type TestStack } from '../../../testing/stack';

// A tenant's life after creation, end to end through the gateway with real users: renaming,
// settings, platform administration (listing, suspending) and deletion, whose purge the real
// worker runs against every subgraph.

let stack: TestStack;
let redis: Redis;
let purgeQueue: Queue;
/** Tenants seeded for this file, each with a slug of its own. */
const tenant = {
  main: randomUUID(),
  other: randomUUID(),
  suspended: randomUUID(),
  doomed: randomUUID(),
  bystander: randomUUID(),
};
let owner: TestUser;
let admin: TestUser;
let member: TestUser;
let otherAdmin: TestUser;
let platformAdmin: TestUser;

beforeAll(async () => {
  stack = await startStack({ worker: true });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name)
     VALUES ($1, 'lc-main', 'Main'), ($2, 'lc-other', 'Other'), ($3, 'lc-suspended', 'Suspended'),
            ($4, 'lc-doomed', 'Doomed'), ($5, 'lc-bystander', 'Bystander')`,
    Object.values(tenant),
  );
  [owner, admin, member, otherAdmin] = await Promise.all([
    signUpMember(stack.gatewayUrl, stack.db, tenant.main, 'OWNER'),
    signUpMember(stack.gatewayUrl, stack.db, tenant.main, 'ADMIN'),
    signUpMember(stack.gatewayUrl, stack.db, tenant.main, 'MEMBER'),
    signUpMember(stack.gatewayUrl, stack.db, tenant.other, 'ADMIN'),
  ]);
  platformAdmin = await signUpPlatformAdmin(stack.gatewayUrl, stack.db);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  purgeQueue = new Queue(TENANT_PURGE_QUEUE, {
    connection: redis,
    prefix: queuePrefix(stack.redisPrefix),
  });
}, 120_000);

afterAll(async () => {
  await purgeQueue?.close();
  redis?.disconnect();
  await stack?.stop();
});

function gql<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<GraphQLResponse<T>> {
  return postGraphQL<T>(stack.gatewayUrl, { query, variables }, headers);
}

async function eventTypes(tenantId: string): Promise<string[]> {
  const rows = await stack.db.query<{ type: string }>(
    `SELECT type FROM events.events WHERE tenant_id = $1 ORDER BY seq`,
    [tenantId],
  );
  return rows.map((row) => row.type);
}

const SETTINGS = `settings {
  retentionDays { events webhookDeliveries deletedAssets sessions }
  maxSessionsPerUser
  allowedOrigins
}`;
const READ_SETTINGS = `{ tenant { id ${SETTINGS} } }`;
const UPDATE_SETTINGS = `mutation ($input: TenantSettingsInput!) {
  updateTenantSettings(input: $input) { id ${SETTINGS} } }`;
const UPDATE_TENANT = `mutation ($name: String) { updateTenant(name: $name) { id name slug } }`;
const DEFAULT_SETTINGS = {
  retentionDays: { ...DEFAULT_RETENTION_DAYS },
  maxSessionsPerUser: null,
  allowedOrigins: [],
};

interface Settings {
  retentionDays: Record<string, number>;
  maxSessionsPerUser: number | null;
  allowedOrigins: string[];
}

async function settingsOf(user: TestUser, tenantId: string): Promise<Settings> {
  const response = await gql<{ tenant: { settings: Settings } }>(
    READ_SETTINGS,
    {},
    user.headers(tenantId),
  );
  return dataOf(response).tenant.settings;
}

describe('updateTenant', () => {
  it('renames the tenant for an ADMIN and records an event', async () => {
    const renamed = await gql(
      UPDATE_TENANT,
      { name: '  Main Renamed  ' },
      admin.headers(tenant.main),
    );
    expect(dataOf(renamed)).toEqual({
      updateTenant: { id: tenant.main, name: 'Main Renamed', slug: 'lc-main' },
    });
    expect(await eventTypes(tenant.main)).toContain('tenancy.tenant.updated');
    // Null changes nothing.
    const unchanged = await gql(UPDATE_TENANT, { name: null }, owner.headers(tenant.main));
    expect(dataOf(unchanged)).toMatchObject({ updateTenant: { name: 'Main Renamed' } });
  });

  it('refuses a MEMBER, a bad name and an API-key-less anonymous caller', async () => {
    const asMember = await gql(UPDATE_TENANT, { name: 'Mine now' }, member.headers(tenant.main));
    expect(codeOf(asMember)).toBe('FORBIDDEN');
    const blank = await gql(UPDATE_TENANT, { name: '   ' }, admin.headers(tenant.main));
    expect(codeOf(blank)).toBe('BAD_USER_INPUT');
    const tooLong = await gql(UPDATE_TENANT, { name: 'x'.repeat(101) }, admin.headers(tenant.main));
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');
    const anonymous = await gql(UPDATE_TENANT, { name: 'Anon' }, { 'x-tenant-id': tenant.main });
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    const [row] = await stack.db.query<{ name: string }>(
      `SELECT name FROM tenancy.tenants WHERE id = $1`,
      [tenant.main],
    );
    expect(row?.name).not.toBe('Mine now');
  });

  it("cannot reach another tenant's name: the ADMIN of one tenant is FORBIDDEN in the other", async () => {
    const response = await gql(UPDATE_TENANT, { name: 'Hijacked' }, admin.headers(tenant.other));
    expect(codeOf(response)).toBe('FORBIDDEN');
    const [row] = await stack.db.query<{ name: string }>(
      `SELECT name FROM tenancy.tenants WHERE id = $1`,
      [tenant.other],
    );
    expect(row?.name).toBe('Other');
  });
});

describe('tenant settings', () => {
  it('reads the platform defaults before anything is set', async () => {
    expect(await settingsOf(member, tenant.main)).toEqual(DEFAULT_SETTINGS);
  });

  it('round-trips settings: normalized origins, partial updates, null back to the default', async () => {
    const updated = await gql<{ updateTenantSettings: { settings: Settings } }>(
      UPDATE_SETTINGS,
      {
        input: {
          retentionDays: { events: 365, sessions: 7 },
          maxSessionsPerUser: 5,
          allowedOrigins: [
            'https://App.Example.com',
            'http://localhost:3000',
            'https://example.com:443',
            'https://app.example.com',
          ],
        },
      },
      admin.headers(tenant.main),
    );
    const expected = {
      retentionDays: { ...DEFAULT_RETENTION_DAYS, events: 365, sessions: 7 },
      maxSessionsPerUser: 5,
      allowedOrigins: ['https://app.example.com', 'http://localhost:3000', 'https://example.com'],
    };
    expect(dataOf(updated).updateTenantSettings.settings).toEqual(expected);
    expect(await settingsOf(member, tenant.main)).toEqual(expected);

    // Left out: unchanged; null: the default again.
    const partial = await gql<{ updateTenantSettings: { settings: Settings } }>(
      UPDATE_SETTINGS,
      { input: { retentionDays: { events: null, deletedAssets: 60 }, maxSessionsPerUser: null } },
      owner.headers(tenant.main),
    );
    expect(dataOf(partial).updateTenantSettings.settings).toEqual({
      ...expected,
      retentionDays: { ...expected.retentionDays, events: 90, deletedAssets: 60 },
      maxSessionsPerUser: null,
    });
    expect(await eventTypes(tenant.main)).toContain('tenancy.tenant.settings_updated');
  });

  it.each([
    ['retention below a day', { retentionDays: { events: 0 } }],
    ['retention over ten years', { retentionDays: { webhookDeliveries: 3651 } }],
    ['a session cap of 0', { maxSessionsPerUser: 0 }],
    ['a session cap over 1000', { maxSessionsPerUser: 1001 }],
    ['a wildcard origin', { allowedOrigins: ['https://*.example.com'] }],
    ['an origin with a path', { allowedOrigins: ['https://example.com/app'] }],
    ['an origin with a trailing slash', { allowedOrigins: ['https://example.com/'] }],
    ['an origin with credentials', { allowedOrigins: ['https://user:pw@example.com'] }],
    ['a non-http origin', { allowedOrigins: ['ftp://example.com'] }],
    ['a bare host', { allowedOrigins: ['example.com'] }],
    [
      '51 origins',
      { allowedOrigins: Array.from({ length: 51 }, (_, i) => `https://app${i}.example.com`) },
    ],
  ])('refuses %s with BAD_USER_INPUT and changes nothing', async (_name, input) => {
    const before = await settingsOf(admin, tenant.main);
    const response = await gql(UPDATE_SETTINGS, { input }, admin.headers(tenant.main));
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
    expect(await settingsOf(admin, tenant.main)).toEqual(before);
  });

  it('accepts exactly 50 origins', async () => {
    const origins = Array.from({ length: 50 }, (_, i) => `https://app${i}.other.example`);
    const response = await gql<{ updateTenantSettings: { settings: Settings } }>(
      UPDATE_SETTINGS,
      { input: { allowedOrigins: origins } },
      otherAdmin.headers(tenant.other),
    );
    expect(dataOf(response).updateTenantSettings.settings.allowedOrigins).toEqual(origins);
  });

  it("refuses a MEMBER's change and leaves other tenants untouched", async () => {
    const response = await gql(
      UPDATE_SETTINGS,
      { input: { maxSessionsPerUser: 1 } },
      member.headers(tenant.main),
    );
    expect(codeOf(response)).toBe('FORBIDDEN');
    const [row] = await stack.db.query<{ count: string }>(
      `SELECT count(*) FROM tenancy.tenant_settings WHERE tenant_id = $1`,
      [tenant.bystander],
    );
    expect(Number(row?.count)).toBe(0);
    expect((await settingsOf(owner, tenant.main)).allowedOrigins).not.toContain(
      'https://app0.other.example',
    );
  });

  it('answers the signed origins lookup for CORS: one origin, a tenant, everything', async () => {
    const lookup = (body: unknown) => postInternal(stack, tenantOriginsCall, body);
    const origins = async (body: unknown) =>
      ((await (await lookup(body)).json()) as { origins: string[] }).origins;

    expect(await origins({ origin: 'https://APP.example.com:443' })).toEqual([
      'https://app.example.com',
    ]);
    expect(await origins({ origin: 'https://evil.example' })).toEqual([]);
    expect(await origins({ origin: 'not an origin' })).toEqual([]);
    expect(await origins({ tenantId: tenant.main, origin: 'https://app0.other.example' })).toEqual(
      [],
    );
    expect(await origins({ tenantId: tenant.main })).toEqual([
      'http://localhost:3000',
      'https://app.example.com',
      'https://example.com',
    ]);
    const all = await origins({});
    expect(all).toEqual(
      expect.arrayContaining(['https://app.example.com', 'https://app7.other.example']),
    );
    expect(all).toHaveLength(53);

    const unsigned = await fetch(`${stack.url('tenancy')}${tenantOriginsCall.path}`, {
      method: 'POST',
      body: '{}',
    });
    expect(unsigned.status).toBe(401);
    expect((await lookup({ tenantId: 'nope' })).status).toBe(400);
  });
});

describe('platform administration of tenants', () => {
  const LIST = `query ($first: Int, $after: Cursor, $status: TenantStatus) {
    tenants(first: $first, after: $after, status: $status) {
      nodes { id slug status settings { allowedOrigins } }
      pageInfo { endCursor hasNextPage }
    } }`;
  interface Page {
    tenants: {
      nodes: { id: string; slug: string; status: string; settings: { allowedOrigins: string[] } }[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
    };
  }
  const SET_STATUS = `mutation ($id: ID!, $status: TenantStatus!) {
    adminSetTenantStatus(tenantId: $id, status: $status) { id status } }`;

  async function listAll(status?: string): Promise<Page['tenants']['nodes']> {
    const nodes: Page['tenants']['nodes'] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page['tenants'] = dataOf(
        await gql<Page>(LIST, { first: 2, after, status }, platformAdmin.headers()),
      ).tenants;
      expect(page.nodes.length).toBeLessThanOrEqual(2);
      nodes.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) return nodes;
      after = page.pageInfo.endCursor;
    }
  }

  it('lists every tenant newest first, page by page, with settings, and filters by status', async () => {
    // Created in the same statement: same created_at, so the id breaks the tie.
    const all = await listAll();
    const ids = all.map((node) => node.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(Object.values(tenant)));
    const rows = await stack.db.query<{ id: string }>(
      `SELECT id FROM tenancy.tenants WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC`,
    );
    expect(ids).toEqual(rows.map((row) => row.id));
    expect(all.find((node) => node.id === tenant.main)?.settings.allowedOrigins).toContain(
      'https://app.example.com',
    );

    dataOf(
      await gql(SET_STATUS, { id: tenant.suspended, status: 'SUSPENDED' }, platformAdmin.headers()),
    );
    const suspended = await listAll('SUSPENDED');
    expect(suspended.map((node) => node.id)).toEqual([tenant.suspended]);
    const active = await listAll('ACTIVE');
    expect(active.map((node) => node.id)).not.toContain(tenant.suspended);
    expect(active.length + suspended.length).toBe(all.length);
  });

  it('refuses non-admins and bad cursors', async () => {
    for (const user of [owner, member]) {
      expect(codeOf(await gql(LIST, {}, user.headers()))).toBe('FORBIDDEN');
      expect(
        codeOf(await gql(SET_STATUS, { id: tenant.main, status: 'SUSPENDED' }, user.headers())),
      ).toBe('FORBIDDEN');
    }
    expect(codeOf(await gql(LIST, {}, {}))).toBe('UNAUTHENTICATED');
    const badCursor = await gql(LIST, { after: 'garbage' }, platformAdmin.headers());
    expect(codeOf(badCursor)).toBe('BAD_USER_INPUT');
    const tooMany = await gql(LIST, { first: 101 }, platformAdmin.headers());
    expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
    const unknown = await gql(
      SET_STATUS,
      { id: randomUUID(), status: 'SUSPENDED' },
      platformAdmin.headers(),
    );
    expect(codeOf(unknown)).toBe('NOT_FOUND');
  });

  it('suspends a tenant at once for its members (no cache TTL to wait out) and resumes it', async () => {
    const read = () => gql(`{ tenant { name } }`, {}, member.headers(tenant.main));
    // Warm the gateway's cached role answer first.
    expect(dataOf(await read())).toEqual({ tenant: { name: 'Main Renamed' } });

    const suspend = await gql(
      SET_STATUS,
      { id: tenant.main, status: 'SUSPENDED' },
      platformAdmin.headers(),
    );
    expect(dataOf(suspend)).toEqual({
      adminSetTenantStatus: { id: tenant.main, status: 'SUSPENDED' },
    });
    const refused = await read();
    expect(refused.status).toBe(403);
    expect(codeOf(refused)).toBe('TENANT_SUSPENDED');

    const resume = await gql(
      SET_STATUS,
      { id: tenant.main, status: 'ACTIVE' },
      platformAdmin.headers(),
    );
    expect(dataOf(resume)).toEqual({ adminSetTenantStatus: { id: tenant.main, status: 'ACTIVE' } });
    expect(dataOf(await read())).toEqual({ tenant: { name: 'Main Renamed' } });

    const changes = await stack.db.query<{ payload: { from: string; to: string } }>(
      `SELECT payload FROM events.events WHERE tenant_id = $1 AND type = 'tenancy.tenant.status_changed' ORDER BY seq`,
      [tenant.main],
    );
    expect(changes.map((row) => row.payload)).toMatchObject([
      { from: 'ACTIVE', to: 'SUSPENDED' },
      { from: 'SUSPENDED', to: 'ACTIVE' },
    ]);
  });
});

describe('deleteTenant', () => {
  const DELETE = `mutation ($slug: String!) { deleteTenant(confirmSlug: $slug) }`;
  let doomedOwner: TestUser;
  let doomedAdmin: TestUser;
  let doomedMember: TestUser;
  let bystanderOwner: TestUser;
  let doomedKey: string;

  /** Rows of `tenantId` in each tenant-owned table the purge must empty (as the owner). */
  async function rowsOf(tenantId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const [table, column] of [
      ['assets.assets', 'tenant_id'],
      ['jobs.webhook_endpoints', 'tenant_id'],
      ['observability.alert_rules', 'tenant_id'],
      ['auth.api_keys', 'tenant_id'],
      ['tenancy.memberships', 'tenant_id'],
      ['tenancy.tenant_settings', 'tenant_id'],
      ['tenancy.oauth_providers', 'tenant_id'],
      ['tenancy.tenants', 'id'],
    ] as const) {
      const [row] = await stack.db.query<{ count: string }>(
        `SELECT count(*) FROM ${table} WHERE ${column} = $1`,
        [tenantId],
      );
      counts[table] = Number(row?.count);
    }
    return counts;
  }

  async function seedRows(tenantId: string, user: TestUser): Promise<string> {
    await stack.db.query(
      `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id)
       SELECT $1, 'file-' || n || '.txt', 'text/plain', 1, $2 FROM generate_series(1, 3) AS n`,
      [tenantId, user.id],
    );
    await stack.db.query(
      `INSERT INTO jobs.webhook_endpoints (tenant_id, url, event_types, secret_ciphertext)
       VALUES ($1, 'https://hooks.example.com/a', '{assets.asset.created}', 'v1.placeholder')`,
      [tenantId],
    );
    await stack.db.query(
      `INSERT INTO observability.alert_rules
         (tenant_id, name, metric, comparator, threshold, for_seconds, severity, channels)
       VALUES ($1, 'errors', 'tessera_graphql_operations_total', '>', 10, 60, 'WARNING', '{log}')`,
      [tenantId],
    );
    await stack.db.query(
      `INSERT INTO tenancy.oauth_providers (tenant_id, provider, client_id, client_secret_encrypted, issuer)
       VALUES ($1, 'google', 'client', 'v1.placeholder', 'https://accounts.example.com')`,
      [tenantId],
    );
    dataOf(
      await gql(
        UPDATE_SETTINGS,
        { input: { allowedOrigins: [`https://${tenantId}.example.com`] } },
        user.headers(tenantId),
      ),
    );
    const key = await gql<{ createApiKey: { secret: string } }>(
      `mutation { createApiKey(name: "ci", scopes: ["assets:read"]) { secret } }`,
      {},
      user.headers(tenantId),
    );
    return dataOf(key).createApiKey.secret;
  }

  beforeAll(async () => {
    [doomedOwner, doomedAdmin, doomedMember, bystanderOwner] = await Promise.all([
      signUpMember(stack.gatewayUrl, stack.db, tenant.doomed, 'OWNER'),
      signUpMember(stack.gatewayUrl, stack.db, tenant.doomed, 'ADMIN'),
      signUpMember(stack.gatewayUrl, stack.db, tenant.doomed, 'MEMBER'),
      signUpMember(stack.gatewayUrl, stack.db, tenant.bystander, 'OWNER'),
    ]);
    doomedKey = await seedRows(tenant.doomed, doomedOwner);
    await seedRows(tenant.bystander, bystanderOwner);
  });

  it('refuses a wrong slug, an ADMIN and an API key, deleting nothing', async () => {
    const wrong = await gql(DELETE, { slug: 'lc-main' }, doomedOwner.headers(tenant.doomed));
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    const asAdmin = await gql(DELETE, { slug: 'lc-doomed' }, doomedAdmin.headers(tenant.doomed));
    expect(codeOf(asAdmin)).toBe('FORBIDDEN');
    const asKey = await gql(
      DELETE,
      { slug: 'lc-doomed' },
      { 'x-api-key': doomedKey, 'x-tenant-id': tenant.doomed },
    );
    expect(codeOf(asKey)).toBe('FORBIDDEN');
    const [row] = await stack.db.query<{ deleted_at: Date | null }>(
      `SELECT deleted_at FROM tenancy.tenants WHERE id = $1`,
      [tenant.doomed],
    );
    expect(row?.deleted_at).toBeNull();
  });

  it('deletes for the OWNER: refused to its members at once, then purged everywhere but nowhere else', async () => {
    const read = (headers: Record<string, string>) => gql(`{ tenant { name } }`, {}, headers);
    // Warm the gateway's cached answers, so the test shows they are dropped.
    for (const headers of [
      doomedMember.headers(tenant.doomed),
      doomedOwner.headers(tenant.doomed),
      { 'x-api-key': doomedKey, 'x-tenant-id': tenant.doomed },
    ]) {
      expect(dataOf(await read(headers))).toEqual({ tenant: { name: 'Doomed' } });
    }
    const before = await rowsOf(tenant.doomed);
    expect(Object.values(before).every((count) => count > 0)).toBe(true);
    const bystanderBefore = await rowsOf(tenant.bystander);

    const deleted = await gql(DELETE, { slug: 'lc-doomed' }, doomedOwner.headers(tenant.doomed));
    expect(dataOf(deleted)).toEqual({ deleteTenant: true });

    for (const headers of [
      doomedMember.headers(tenant.doomed),
      doomedOwner.headers(tenant.doomed),
      { 'x-api-key': doomedKey, 'x-tenant-id': tenant.doomed },
    ]) {
      const refused = await read(headers);
      expect(refused.status).toBe(403);
      expect(codeOf(refused)).toBe('FORBIDDEN');
    }
    // Gone from lists too, before the purge.
    const mine = await gql<{ myTenants: { tenant: { id: string } }[] }>(
      `{ myTenants { tenant { id } } }`,
      {},
      doomedOwner.headers(),
    );
    expect(dataOf(mine).myTenants).toEqual([]);

    await eventually(async () =>
      Object.values(await rowsOf(tenant.doomed)).every((count) => count === 0),
    );
    expect(await rowsOf(tenant.bystander)).toEqual(bystanderBefore);
    // Deleting is recorded; the journal itself is append-only and kept by its retention.
    expect(await eventTypes(tenant.doomed)).toContain('tenancy.tenant.deleted');

    // The job's return value and the worker's log line say what was deleted.
    const job = await purgeQueue.getJob(tenantPurgeJobId(tenant.doomed));
    await eventually(async () => (await job?.getState()) === 'completed');
    const result = (await purgeQueue.getJob(tenantPurgeJobId(tenant.doomed)))?.returnvalue as {
      tenantId: string;
      deleted: Record<string, number>;
      total: number;
    };
    expect(result.tenantId).toBe(tenant.doomed);
    expect(result.deleted).toMatchObject({
      'assets.assets': 3,
      'jobs.webhook_endpoints': 1,
      'observability.alert_rules': 1,
      'auth.api_keys': 1,
      'tenancy.memberships': 3,
      'tenancy.tenant_settings': 1,
      'tenancy.oauth_providers': 1,
      'tenancy.tenants': 1,
    });
    const logged = stack.logs.find(
      (line) =>
        line.service === 'worker' &&
        line.entry?.msg === 'tenant purged' &&
        line.entry.tenantId === tenant.doomed,
    );
    expect(logged?.entry).toMatchObject({ total: result.total });

    // The bystander works as before.
    expect(dataOf(await read(bystanderOwner.headers(tenant.bystander)))).toEqual({
      tenant: { name: 'Bystander' },
    });
  });

  it('has nothing more to delete when the purge runs again, and refuses to purge a live tenant in any subgraph', async () => {
    const purge = (
      name: 'auth' | 'assets' | 'jobs' | 'observability' | 'tenancy',
      tenantId: string,
    ) => postInternal(stack, tenantPurgeCall, { tenantId }, { to: name });
    // Purged tenants are gone from tenancy too: the others purge what may be left of them.
    const again = await purge('assets', tenant.doomed);
    expect(await again.json()).toEqual({ deleted: { 'assets.assets': 0 }, complete: true });
    const bystanderBefore = await rowsOf(tenant.bystander);
    for (const name of ['auth', 'assets', 'jobs', 'observability', 'tenancy'] as const) {
      const live = await purge(name, tenant.bystander);
      expect([name, live.status, await refusalCode(live)]).toEqual([name, 409, 'CONFLICT']);
    }
    expect(await rowsOf(tenant.bystander)).toEqual(bystanderBefore);
    const unsigned = await fetch(`${stack.url('assets')}${tenantPurgeCall.path}`, {
      method: 'POST',
      body: JSON.stringify({ tenantId: tenant.bystander }),
    });
    expect(unsigned.status).toBe(401);
    expect((await rowsOf(tenant.bystander))['assets.assets']).toBe(3);
  });
});

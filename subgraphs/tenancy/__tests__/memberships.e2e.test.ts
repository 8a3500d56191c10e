import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { anonymousContext, type RequestContext } from '../../../platform/context/request-context';
import { roleLookupCall } from '../../../platform/contracts/tenancy/role-lookup';
import { tenantScope } from '../../../platform/db/scope';
import { connectAs } from '../../../testing/database';
import { postGraphQL } from '../../../testing/graphql-client';
import {
  postInternal,
  postToSubgraph,
  refusalCode,
  type SignAs,
} from '../../../testing/internal-requests';
import { generateTestServiceKeys } from '../../../testing/service-keys';
import { startStack, type TestStack } from '../../../testing/stack';
import { MembershipEntity } from '../entities/membership.entity';
import { TenantEntity } from '../entities/tenant.entity';
import { MembershipRepository } from '../repositories/membership.repository';
import { MAX_OWNED_TENANTS } from '../services/tenant.service';

// The tenancy process as the gateway reaches it: GraphQL with a signed context (the gateway
// does not authenticate users yet, so the tests sign the context a signed-in user would get)
// and the internal role lookup route.

const CREATE = `mutation Create($name: String!, $slug: String!) {
  createTenant(name: $name, slug: $slug) { id slug name status createdAt }
}`;
const MY_TENANTS = `{ myTenants { id role createdAt user { id } tenant { id slug name status } } }`;

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const asUser = (id: string): RequestContext['principal'] => ({ kind: 'user', id });

function tenancy<TData = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown>,
  principal: RequestContext['principal'],
) {
  return postToSubgraph<TData>(
    stack,
    'tenancy',
    { query, variables },
    { ...anonymousContext(randomUUID()), principal },
  );
}

interface CreatedTenant {
  createTenant: { id: string; slug: string; name: string; status: string; createdAt: string };
}

async function createTenant(userId: string, slug: string, name = `Tenant ${slug}`) {
  return tenancy<CreatedTenant>(CREATE, { name, slug }, asUser(userId));
}

function codes(response: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) {
  return (response.body.errors ?? []).map((error) => error.extensions?.code);
}

function lookupRole(body: unknown, sign: Partial<SignAs> = {}) {
  return postInternal(stack, roleLookupCall, body, sign);
}

describe('createTenant and myTenants', () => {
  it('makes the caller OWNER of the new tenant, and myTenants lists it', async () => {
    const owner = randomUUID();
    const created = await createTenant(owner, 'initech', '  Initech  ');
    expect(created.body.errors).toBeUndefined();
    const tenant = created.body.data!.createTenant;
    expect(tenant).toMatchObject({ slug: 'initech', name: 'Initech', status: 'ACTIVE' });

    const mine = await tenancy(MY_TENANTS, {}, asUser(owner));
    expect(mine.body.errors).toBeUndefined();
    expect(mine.body.data).toEqual({
      myTenants: [
        {
          id: expect.any(String),
          role: 'OWNER',
          createdAt: expect.any(String),
          user: { id: owner },
          tenant: { id: tenant.id, slug: 'initech', name: 'Initech', status: 'ACTIVE' },
        },
      ],
    });
    // The tenant and its membership were written together with the outbox event.
    const events = await stack.db.query(
      `SELECT type, actor_kind, actor_id, payload FROM events.events WHERE tenant_id = $1`,
      [tenant.id],
    );
    expect(events).toEqual([
      {
        type: 'tenancy.tenant.created',
        actor_kind: 'user',
        actor_id: owner,
        payload: { tenantId: tenant.id, slug: 'initech', name: 'Initech', ownerId: owner },
      },
    ]);
  });

  it('lists only the caller’s own memberships, across tenants, oldest first', async () => {
    const user = randomUUID();
    const other = randomUUID();
    const first = (await createTenant(user, 'first-co')).body.data!.createTenant.id;
    const second = (await createTenant(user, 'second-co')).body.data!.createTenant.id;
    await createTenant(other, 'not-yours');

    const mine = await tenancy(MY_TENANTS, {}, asUser(user));
    expect(
      (mine.body.data as { myTenants: { tenant: { id: string } }[] }).myTenants.map(
        (membership) => membership.tenant.id,
      ),
    ).toEqual([first, second]);
    const stranger = await tenancy(MY_TENANTS, {}, asUser(randomUUID()));
    expect(stranger.body.data).toEqual({ myTenants: [] });
  });

  it('refuses a taken slug with CONFLICT and writes nothing', async () => {
    await createTenant(randomUUID(), 'taken-slug');
    const late = randomUUID();
    const response = await createTenant(late, 'taken-slug');
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(response.body.errors?.[0]?.message).toBe('The slug "taken-slug" is taken');
    expect(
      await stack.db.query(`SELECT 1 FROM tenancy.memberships WHERE user_id = $1`, [late]),
    ).toEqual([]);
  });

  it('gives exactly one of two concurrent requests for the same slug the tenant', async () => {
    const responses = await Promise.all([
      createTenant(randomUUID(), 'race-slug'),
      createTenant(randomUUID(), 'race-slug'),
    ]);
    expect(responses.map(codes).sort()).toEqual([[], ['CONFLICT']]);
    const [row] = await stack.db.query<{ count: string }>(
      `SELECT count(*) FROM tenancy.memberships m JOIN tenancy.tenants t ON t.id = m.tenant_id
        WHERE t.slug = 'race-slug'`,
    );
    expect(row?.count).toBe('1');
  });

  it.each([
    ['an upper-case slug', 'Acme', 'Acme'],
    ['a slug with a leading hyphen', '-acme', 'Acme'],
    ['a slug with a trailing hyphen', 'acme-', 'Acme'],
    ['a slug too short', 'ab', 'Acme'],
    ['a slug too long', 'a'.repeat(49), 'Acme'],
    ['a slug with a space', 'ac me', 'Acme'],
    ['a blank name', 'blank-name', '   '],
    ['a name too long', 'long-name', 'n'.repeat(101)],
    ['a name with a control character', 'control-name', 'Ac\u0007me'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, slug, name) => {
    const user = randomUUID();
    const response = await createTenant(user, slug, name);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.body.errors?.[0]?.extensions?.field).toBe(
      name.trim() === 'Acme' ? 'slug' : 'name',
    );
    expect(
      await stack.db.query(`SELECT 1 FROM tenancy.memberships WHERE user_id = $1`, [user]),
    ).toEqual([]);
  });

  it('accepts a name of exactly 100 characters, counted as code points', async () => {
    const response = await createTenant(randomUUID(), 'emoji-name', '🦄'.repeat(100));
    expect(response.body.errors).toBeUndefined();
  });

  it.each([
    ['an anonymous caller', null],
    ['an API key', { kind: 'apiKey' as const, id: randomUUID() }],
  ])('refuses %s with UNAUTHENTICATED', async (_case, principal) => {
    const created = await tenancy(CREATE, { name: 'Nope', slug: 'nope-co' }, principal);
    expect(codes(created)).toEqual(['UNAUTHENTICATED']);
    const listed = await tenancy(MY_TENANTS, {}, principal);
    expect(codes(listed)).toEqual(['UNAUTHENTICATED']);
    expect(await stack.db.query(`SELECT 1 FROM tenancy.tenants WHERE slug = 'nope-co'`)).toEqual(
      [],
    );
  });

  it('answers an anonymous myTenants through the gateway with UNAUTHENTICATED, not TENANT_REQUIRED', async () => {
    const response = await postGraphQL(stack.gatewayUrl, { query: MY_TENANTS });
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it(`caps the tenants one user owns at ${MAX_OWNED_TENANTS} with FORBIDDEN`, async () => {
    const user = randomUUID();
    // Arranged as the owner: MAX_OWNED_TENANTS - 1 owned tenants and one where the user is
    // only a MEMBER, which does not count.
    await stack.db.query(
      `WITH t AS (
         INSERT INTO tenancy.tenants (slug, name)
         SELECT 'cap-' || i, 'Cap ' || i FROM generate_series(1, $2::int) AS i RETURNING id, slug)
       INSERT INTO tenancy.memberships (tenant_id, user_id, role)
       SELECT id, $1, CASE WHEN slug = 'cap-' || $2 THEN 'MEMBER' ELSE 'OWNER' END FROM t`,
      [user, MAX_OWNED_TENANTS],
    );
    const last = await createTenant(user, 'cap-last');
    expect(last.body.errors).toBeUndefined();
    const over = await createTenant(user, 'cap-over');
    expect(codes(over)).toEqual(['FORBIDDEN']);
    expect(over.body.errors?.[0]?.message).toMatch(`already own ${MAX_OWNED_TENANTS} tenants`);
    expect(await stack.db.query(`SELECT 1 FROM tenancy.tenants WHERE slug = 'cap-over'`)).toEqual(
      [],
    );
  });
});

describe(`POST ${roleLookupCall.path}`, () => {
  let tenantId: string;
  const owner = randomUUID();

  beforeAll(async () => {
    tenantId = (await createTenant(owner, 'lookup-co')).body.data!.createTenant.id;
  });

  it('answers the member’s role and the tenant’s status', async () => {
    const response = await lookupRole({ tenantId, userId: owner });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ tenantStatus: 'ACTIVE', role: 'OWNER' });
  });

  it('answers upper-case ids like lower-case ones', async () => {
    const response = await lookupRole({
      tenantId: tenantId.toUpperCase(),
      userId: owner.toUpperCase(),
    });
    expect(await response.json()).toEqual({ tenantStatus: 'ACTIVE', role: 'OWNER' });
  });

  it('answers a null role for a non-member and nulls for a tenant that does not exist', async () => {
    expect(await (await lookupRole({ tenantId, userId: randomUUID() })).json()).toEqual({
      tenantStatus: 'ACTIVE',
      role: null,
    });
    expect(await (await lookupRole({ tenantId: randomUUID(), userId: owner })).json()).toEqual({
      tenantStatus: null,
      role: null,
    });
  });

  it('reports a suspended tenant, with the role still known', async () => {
    const suspended = (await createTenant(owner, 'suspended-co')).body.data!.createTenant.id;
    await stack.db.query(`UPDATE tenancy.tenants SET status = 'SUSPENDED' WHERE id = $1`, [
      suspended,
    ]);
    expect(await (await lookupRole({ tenantId: suspended, userId: owner })).json()).toEqual({
      tenantStatus: 'SUSPENDED',
      role: 'OWNER',
    });
    expect(await (await lookupRole({ tenantId: suspended, userId: randomUUID() })).json()).toEqual({
      tenantStatus: 'SUSPENDED',
      role: null,
    });
  });

  it('refuses a request unsigned, signed with an unknown key or too long ago with 401, and by a service other than the gateway with 403', async () => {
    const unsigned = await fetch(`${stack.url('tenancy')}${roleLookupCall.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId, userId: owner }),
    });
    expect(unsigned.status).toBe(401);
    expect(await refusalCode(unsigned)).toBe('UNAUTHENTICATED');
    const forged = await postInternal(
      { ...stack, keys: generateTestServiceKeys() },
      roleLookupCall,
      { tenantId, userId: owner },
    );
    expect(forged.status).toBe(401);
    const stale = await lookupRole({ tenantId, userId: owner }, { now: Date.now() - 600_000 });
    expect(stale.status).toBe(401);
    const notTheGateway = await lookupRole({ tenantId, userId: owner }, { as: 'assets' });
    expect(notTheGateway.status).toBe(403);
    expect(await refusalCode(notTheGateway)).toBe('FORBIDDEN');
  });

  it.each([
    ['not JSON', '{"tenantId":'],
    ['an empty body', ''],
    ['an array', '[]'],
    ['a missing user id', JSON.stringify({ tenantId: randomUUID() })],
    ['ids that are not UUIDs', JSON.stringify({ tenantId: 'acme', userId: '1 OR 1=1' })],
  ])('refuses %s with 400', async (_case, body) => {
    const response = await lookupRole(body);
    expect(response.status).toBe(400);
    expect(await refusalCode(response)).toBe('BAD_USER_INPUT');
  });

  it('refuses a body over the limit with 413 and other methods with 405', async () => {
    const large = await lookupRole(
      JSON.stringify({ tenantId, userId: owner, pad: 'x'.repeat(10_000) }),
    );
    expect(large.status).toBe(413);
    const get = await fetch(`${stack.url('tenancy')}${roleLookupCall.path}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('row-level security on tenancy.memberships', () => {
  let app: DataSource;

  beforeAll(async () => {
    app = await connectAs(stack.db, 'tenancy', {
      poolMax: 2,
      name: 'memberships-rls-test',
      entities: [TenantEntity, MembershipEntity],
    });
  });

  afterAll(async () => {
    await app?.destroy();
  });

  it('hides tenant B’s members inside tenant A’s transaction and refuses writes into B', async () => {
    const user = randomUUID();
    const tenantA = (await createTenant(user, 'rls-a')).body.data!.createTenant.id;
    const tenantB = (await createTenant(randomUUID(), 'rls-b')).body.data!.createTenant.id;

    const visible = await tenantScope(app, tenantA).run((manager) =>
      manager.find(MembershipEntity),
    );
    expect(visible.map((membership) => membership.tenantId)).toEqual([tenantA]);
    expect(await app.manager.find(MembershipEntity)).toEqual([]); // no tenant: nothing

    await expect(
      tenantScope(app, tenantA).run((manager) =>
        new MembershipRepository(manager).insert({
          tenantId: tenantB,
          userId: user,
          role: 'ADMIN',
        }),
      ),
    ).rejects.toThrow(/row-level security/);
    const count = await tenantScope(app, tenantA).run((manager) =>
      manager.query(`UPDATE tenancy.memberships SET role = 'VIEWER' WHERE tenant_id = $1`, [
        tenantB,
      ]),
    );
    expect(count).toEqual([[], 0]);
  });

  it("lets tenancy's role call the tenantless lookups but not read across tenants directly", async () => {
    const rows = await stack.db.query<{ fn: string; app: boolean; public: boolean }>(
      `SELECT p.proname AS fn,
              has_function_privilege('tessera_tenancy', p.oid, 'EXECUTE') AS app,
              coalesce(bool_or(a.grantee = 0), false) AS public
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         LEFT JOIN LATERAL aclexplode(p.proacl) a ON true
        WHERE n.nspname = 'tenancy' GROUP BY p.proname, p.oid ORDER BY p.proname`,
    );
    expect(rows).toEqual([
      { fn: 'allowed_origins', app: true, public: false },
      { fn: 'count_oauth_secrets_to_reencrypt', app: true, public: false },
      { fn: 'list_tenants', app: true, public: false },
      { fn: 'memberships_of_user', app: true, public: false },
      { fn: 'oauth_secrets_to_reencrypt', app: true, public: false },
      { fn: 'open_invitation_tenant', app: true, public: false },
      { fn: 'role_of', app: true, public: false },
      { fn: 'session_cap_of_user', app: true, public: false },
      { fn: 'session_retention_overrides', app: true, public: false },
      { fn: 'tenant_statuses', app: true, public: false },
    ]);
  });
});

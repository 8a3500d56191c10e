import { randomUUID } from 'node:crypto';
import {
  metricValue,
  postGraphQL,
  scrape,
  type GraphQLResponse,
  codeOf,
} from '../../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../../testing/members';
import { startStack, type TestStack } from '../../../testing/stack';

// `events(first, after, types, since)` end to end: the gateway, auth (actors, API keys),
// tenancy (roles) and jobs as real processes; the journal arranged as the owner in SQL.

const tenantA = randomUUID();
const tenantB = randomUUID();
let stack: TestStack;
let viewer: TestUser;
let admin: TestUser;
let memberOfB: TestUser;
let readKey: string;
let assetsKey: { secret: string; id: string };

interface EventNode {
  id: string;
  seq: string;
  type: string;
  payload: Record<string, unknown>;
  actorKind: string | null;
  actorId: string | null;
  actor: { id: string; email: string } | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  occurredAt: string;
}
interface EventsPage {
  events: {
    nodes: EventNode[];
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
  };
}
interface EventsArgs {
  first?: number;
  after?: string | null;
  types?: string[];
  since?: string;
}

const EVENTS = `query ($first: Int, $after: Cursor, $types: [String!], $since: DateTime) {
  events(first: $first, after: $after, types: $types, since: $since) {
    nodes { id seq type payload actorKind actorId actor { id email } requestId ip userAgent occurredAt }
    pageInfo { endCursor hasNextPage }
  }
}`;

/** Journal events arranged in tenant A, oldest first: a minute apart, a day ago. */
const BASE = Date.now() - 24 * 3600_000;
const TYPES = ['assets.asset.created', 'assets.asset.deleted', 'tenancy.member.joined'];
const ARRANGED = 25;

async function insertEvent(
  tenantId: string,
  type: string,
  occurredAt: Date,
  actor: { kind: string; id: string | null } | null,
  payload: Record<string, unknown> = {},
): Promise<void> {
  // Through the tenant's counter, as appendEvent does, so later appends continue the seq.
  await stack.db.query(
    `WITH next AS (
       INSERT INTO events.sequences (scope, last_seq) VALUES ($1, 1)
       ON CONFLICT (scope) DO UPDATE SET last_seq = events.sequences.last_seq + 1
       RETURNING last_seq)
     INSERT INTO events.events
       (tenant_id, seq, type, payload, actor_kind, actor_id, request_id, ip, user_agent, occurred_at)
     SELECT $1, last_seq, $2, $3, $4, $5, 'req-arranged', '198.51.100.7', 'jest', $6 FROM next`,
    [tenantId, type, payload, actor?.kind ?? null, actor?.id ?? null, occurredAt],
  );
}

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'jobs'] });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'alpha', 'Alpha'), ($2, 'beta', 'Beta')`,
    [tenantA, tenantB],
  );
  viewer = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'VIEWER');
  admin = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'ADMIN');
  memberOfB = await signUpMember(stack.gatewayUrl, stack.db, tenantB, 'MEMBER');
  readKey = (await createKey(['events:read'])).secret;
  assetsKey = await createKey(['assets:read']);

  const actors = [
    { kind: 'user', id: viewer.id },
    { kind: 'user', id: admin.id },
    { kind: 'apiKey', id: assetsKey.id },
    { kind: 'system', id: null },
    null,
  ];
  for (let index = 0; index < ARRANGED; index += 1) {
    await insertEvent(
      tenantA,
      TYPES[index % TYPES.length]!,
      new Date(BASE + index * 60_000),
      // The newest has the viewer as actor, the next the admin, then a key, the system, none.
      actors[(ARRANGED - 1 - index) % actors.length]!,
      { index },
    );
  }
  for (let index = 0; index < 3; index += 1) {
    await insertEvent(tenantB, TYPES[0]!, new Date(BASE + index * 60_000), null, { secret: index });
  }
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function createKey(scopes: string[]): Promise<{ secret: string; id: string }> {
  const response = await postGraphQL<{
    createApiKey: { secret: string; apiKey: { id: string } };
  }>(
    stack.gatewayUrl,
    {
      query: `mutation ($scopes: [String!]!) { createApiKey(name: "events", scopes: $scopes) { secret apiKey { id } } }`,
      variables: { scopes },
    },
    admin.headers(tenantA),
  );
  const created = response.body.data?.createApiKey;
  if (!created) throw new Error(`createApiKey failed: ${response.text}`);
  return { secret: created.secret, id: created.apiKey.id };
}

function events(args: EventsArgs, headers: Record<string, string>) {
  return postGraphQL<EventsPage>(
    stack.gatewayUrl,
    { query: EVENTS, variables: { ...args } },
    headers,
  );
}

/** Every page from the first, following endCursor. */
async function allPages(args: EventsArgs, headers = viewer.headers(tenantA)) {
  const pages: EventNode[][] = [];
  let after: string | null = null;
  for (;;) {
    const response: GraphQLResponse<EventsPage> = await events({ ...args, after }, headers);
    const page = response.body.data?.events;
    if (!page) throw new Error(`events failed: ${response.text}`);
    pages.push(page.nodes);
    if (!page.pageInfo.hasNextPage) return pages;
    after = page.pageInfo.endCursor;
  }
}

/** The journal as the owner sees it: tenant A's seqs, newest first, optionally filtered. */
async function journalSeqs(where = 'true', params: unknown[] = []): Promise<string[]> {
  const rows = await stack.db.query<{ seq: string }>(
    `SELECT e.seq::text AS seq FROM events.events e WHERE tenant_id = $1 AND ${where} ORDER BY e.seq DESC`,
    [tenantA, ...params],
  );
  return rows.map((row) => row.seq);
}

describe('paging', () => {
  it('pages through the whole journal newest first, each event exactly once', async () => {
    const pages = await allPages({ first: 10 });
    const expected = await journalSeqs();
    expect(expected.length).toBeGreaterThanOrEqual(ARRANGED);
    expect(pages.map((page) => page.length)).toEqual(
      Array.from({ length: Math.ceil(expected.length / 10) }, (_, index) =>
        Math.min(10, expected.length - index * 10),
      ),
    );
    expect(pages.flat().map((event) => event.seq)).toEqual(expected);
  });

  it('gives 20 by default, and an empty last page no cursor', async () => {
    const response = await events({}, viewer.headers(tenantA));
    expect(response.body.data?.events.nodes).toHaveLength(20);
    const empty = await events({ types: ['no.such_type'] }, viewer.headers(tenantA));
    expect(empty.body.data?.events).toEqual({
      nodes: [],
      pageInfo: { endCursor: null, hasNextPage: false },
    });
  });

  it('returns each event whole, with its actor resolved by auth in one batched call', async () => {
    const authRequests = async () =>
      metricValue(await scrape(stack.url('auth')), 'tessera_http_requests_total', {
        route: 'graphql',
      });
    const before = await authRequests();
    const response = await events({ first: 10, types: TYPES }, viewer.headers(tenantA));
    expect(await authRequests()).toBe(before + 1);

    const nodes = response.body.data!.events.nodes;
    const newest = nodes.find((node) => node.payload.index === ARRANGED - 1)!;
    expect(newest).toEqual({
      id: expect.any(String),
      seq: expect.stringMatching(/^\d+$/),
      type: TYPES[(ARRANGED - 1) % TYPES.length],
      payload: { index: ARRANGED - 1 },
      actorKind: 'USER',
      actorId: viewer.id,
      actor: { id: viewer.id, email: viewer.email },
      requestId: 'req-arranged',
      // Below ADMIN (journal-visibility.e2e.test.ts has who sees them).
      ip: null,
      userAgent: null,
      occurredAt: new Date(BASE + (ARRANGED - 1) * 60_000).toISOString(),
    });
    const byIndex = (index: number) => nodes.find((node) => node.payload.index === index)!;
    expect(byIndex(ARRANGED - 2).actor?.email).toBe(admin.email);
    expect(byIndex(ARRANGED - 3)).toMatchObject({
      actorKind: 'API_KEY',
      actorId: assetsKey.id,
      actor: null,
    });
    expect(byIndex(ARRANGED - 4)).toMatchObject({ actorKind: 'SYSTEM', actor: null });
    expect(byIndex(ARRANGED - 5)).toMatchObject({ actorKind: null, actorId: null, actor: null });
  });
});

describe('filters', () => {
  it('keeps only the given types, across pages', async () => {
    const types = ['assets.asset.deleted', 'tenancy.member.joined'];
    const pages = await allPages({ first: 4, types });
    expect(pages.flat().map((event) => event.seq)).toEqual(
      await journalSeqs('type = ANY($2)', [types]),
    );
    expect(new Set(pages.flat().map((event) => event.type))).toEqual(new Set(types));
  });

  it('keeps events that occurred at or after `since`, combined with types and paging', async () => {
    const since = new Date(BASE + 10 * 60_000).toISOString();
    const all = await allPages({ first: 7, since });
    expect(all.flat().map((event) => event.seq)).toEqual(
      await journalSeqs('occurred_at >= $2', [since]),
    );
    const typed = await allPages({ first: 2, since, types: [TYPES[1]!] });
    expect(typed.flat().map((event) => event.seq)).toEqual(
      await journalSeqs('occurred_at >= $2 AND type = $3', [since, TYPES[1]]),
    );
    expect(typed.flat().every((event) => Date.parse(event.occurredAt) >= Date.parse(since))).toBe(
      true,
    );
  });
});

describe('access', () => {
  it("never shows another tenant's events", async () => {
    const ofA = (await allPages({ first: 100 })).flat();
    expect(ofA.some((event) => 'secret' in event.payload)).toBe(false);
    const ofB = (await allPages({ first: 100 }, memberOfB.headers(tenantB))).flat();
    expect(ofB.map((event) => event.payload)).toEqual([
      { secret: 2 },
      { secret: 1 },
      { secret: 0 },
    ]);
    // A member of A naming tenant B is refused before any subgraph runs.
    const across = await events({}, viewer.headers(tenantB));
    expect(codeOf(across)).toBe('FORBIDDEN');
  });

  it('lets an API key with events:read read, and refuses one without it', async () => {
    const withScope = await events({ first: 5 }, { 'x-api-key': readKey, 'x-tenant-id': tenantA });
    expect(withScope.body.data?.events.nodes).toHaveLength(5);
    const withoutScope = await events(
      { first: 5 },
      { 'x-api-key': assetsKey.secret, 'x-tenant-id': tenantA },
    );
    expect(codeOf(withoutScope)).toBe('FORBIDDEN');
    expect(withoutScope.body.data?.events ?? null).toBeNull();
  });

  it('refuses anonymous callers and a missing tenant', async () => {
    expect(codeOf(await events({}, { 'x-tenant-id': tenantA }))).toBe('UNAUTHENTICATED');
    const noTenant = await events({}, viewer.headers());
    expect(noTenant.status).toBe(400);
    expect(codeOf(noTenant)).toBe('TENANT_REQUIRED');
  });
});

describe('bad input', () => {
  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it.each([
    ['a cursor that is not base64 JSON', { after: '%%%' }],
    ['a cursor of another list', { after: cursorOf(['2024-01-01T00:00:00Z', randomUUID()]) }],
    ['a cursor with a negative seq', { after: cursorOf(['-1', randomUUID()]) }],
    ['an upper-case type', { types: ['Assets.Asset.Created'] }],
    ['a type without a dot', { types: ['assets'] }],
    ['an empty type list', { types: [] }],
    ['21 types', { types: Array.from({ length: 21 }, (_, index) => `a.t${'x'.repeat(index)}`) }],
    ['first: 0', { first: 0 }],
    ['first: 101', { first: 101 }],
  ])('answers %s with BAD_USER_INPUT', async (_case, args) => {
    const response = await events(args, viewer.headers(tenantA));
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
  });
});

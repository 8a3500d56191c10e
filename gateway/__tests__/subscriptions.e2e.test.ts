import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';
import { anonymousContext, runWithContext } from '../../platform/context/request-context';
import { tenantScope } from '../../platform/db/scope';
import { appendEvent } from '../../platform/events/append-event';
import { EventType } from '../../platform/events/event-types';
import { connectAs } from '../../testing/database';
import { appendEvents } from '../../testing/journal-writes';
import { postGraphQL } from '../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../testing/members';
import { startStack, type TestStack } from '../../testing/stack';
import {
  connectWs,
  listeningNow,
  waitFor,
  waitForListening,
  type WsClient,
} from '../../testing/ws-client';

// Subscriptions end to end: two gateway processes, the relay in the worker, real graphql-ws
// clients. Events are written through the API (gateway 2) and, for bursts, appended straight
// into the journal the way every service does.

const tenantA = randomUUID();
const tenantB = randomUUID();
let stack: TestStack;
let gateway2: ServiceProcess;
let app: DataSource;
let owner: TestUser;
let viewerB: TestUser;
const clients: WsClient[] = [];

interface EventData {
  events: { seq: string; type: string; payload?: Record<string, unknown> };
}
const EVENTS =
  'subscription ($after: String, $types: [String!]) { events(afterSeq: $after, types: $types) { seq type payload } }';

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'jobs'], worker: true });
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'sub-a', 'A'), ($2, 'sub-b', 'B')`,
    [tenantA, tenantB],
  );
  owner = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'OWNER');
  viewerB = await signUpMember(stack.gatewayUrl, stack.db, tenantB, 'VIEWER');
  gateway2 = await spawnService('gateway', {
    env: {
      ...stack.env,
      SUBGRAPH_AUTH_URL: `${stack.url('auth')}/graphql`,
      SUBGRAPH_TENANCY_URL: `${stack.url('tenancy')}/graphql`,
      SUBGRAPH_JOBS_URL: `${stack.url('jobs')}/graphql`,
    },
  });
  app = await connectAs(stack.db, 'tenancy', { poolMax: 4, name: 'subscriptions-test' });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await app?.destroy();
  await gateway2?.stop();
  await stack?.stop();
});

function connect(
  user: TestUser | null,
  tenantId: string | undefined,
  gatewayUrl = stack.gatewayUrl,
  extra = {},
) {
  const client = connectWs(gatewayUrl, {
    ...(user ? { authorization: `Bearer ${user.accessToken}` } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...extra,
  });
  clients.push(client);
  return client;
}

async function latestSeq(tenantId: string): Promise<bigint> {
  const [row] = await stack.db.query<{ seq: string | null }>(
    `SELECT max(seq)::text AS seq FROM events.events WHERE tenant_id = $1`,
    [tenantId],
  );
  return BigInt(row?.seq ?? 0);
}

const seqsOf = (results: EventData[]) => results.map((result) => Number(result.events.seq));

describe('events subscription', () => {
  it('delivers, in seq order, events written through the other gateway', async () => {
    const client = connect(owner, tenantA);
    const received = client.subscribe<EventData>(EVENTS, {
      after: String(await latestSeq(tenantA)),
    });
    for (const name of ['One', 'Two', 'Three']) {
      const response = await postGraphQL(
        `${gateway2.url}/graphql`,
        {
          query: `mutation ($n: String) { updateTenant(name: $n) { name } }`,
          variables: { n: name },
        },
        owner.headers(tenantA),
      );
      expect(response.body.errors).toBeUndefined();
    }
    await waitFor(() => received.results.length >= 3);
    const seqs = seqsOf(received.results);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(received.results.map((result) => result.events.type)).toEqual([
      'tenancy.tenant.updated',
      'tenancy.tenant.updated',
      'tenancy.tenant.updated',
    ]);
    received.unsubscribe();
  });

  it('resumes after a disconnect during a burst of 1 000 events: each seq exactly once', async () => {
    const start = await latestSeq(tenantA);
    const first = connect(owner, tenantA);
    const before = first.subscribe<EventData>(EVENTS, { after: String(start) });
    const writing = appendEvents(app, tenantA, 1_000);
    await waitFor(() => before.results.length >= 100);
    await first.dispose(); // the client drops mid-burst
    const seen = seqsOf(before.results);
    const resumed = connect(owner, tenantA).subscribe<EventData>(EVENTS, {
      after: String(seen[seen.length - 1]),
    });
    await writing;
    await waitFor(() => seen.length + resumed.results.length >= 1_000, 30_000);
    const all = [...seen, ...seqsOf(resumed.results)];
    expect(all).toEqual(Array.from({ length: 1_000 }, (_, i) => Number(start) + i + 1));
    resumed.unsubscribe();
  }, 60_000);

  it("keeps tenant B's subscriber from seeing anything of A", async () => {
    const startB = Number(await latestSeq(tenantB));
    const received = connect(viewerB, tenantB).subscribe<EventData>(EVENTS, {
      after: String(startB),
    });
    await appendEvents(app, tenantA, 20);
    await appendEvents(app, tenantB, 1);
    await waitFor(() => received.results.length >= 1);
    // A second event of B comes after anything of A published before it would have.
    await appendEvents(app, tenantB, 1);
    await waitFor(() => received.results.length >= 2);
    expect(seqsOf(received.results)).toEqual([startB + 1, startB + 2]);
    received.unsubscribe();
  });

  it('filters by type, and resolves the actor through the gateway', async () => {
    const listening = await listeningNow(stack.url('gateway'));
    const received = connect(owner, tenantA).subscribe<{
      events: { type: string; actor: { email: string } | null };
    }>('subscription { events(types: ["auth.api_key.created"]) { type actor { email } } }');
    await waitForListening(stack.url('gateway'), listening + 1);
    await appendEvents(app, tenantA, 5);
    const created = await postGraphQL(
      stack.gatewayUrl,
      { query: 'mutation { createApiKey(name: "sub", scopes: ["events:read"]) { secret } }' },
      owner.headers(tenantA),
    );
    expect(created.body.errors).toBeUndefined();
    await waitFor(() => received.results.length >= 1);
    expect(received.results[0]).toEqual({
      events: { type: 'auth.api_key.created', actor: { email: owner.email } },
    });
    received.unsubscribe();
  });

  it("ends a removed member's subscription", async () => {
    const member = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER');
    // From the current seq: the removal's own event reaches the subscription however late it
    // started listening, and its delivery is where the membership is checked again.
    const received = connect(member, tenantA).subscribe<EventData>(EVENTS, {
      after: String(await latestSeq(tenantA)),
    });
    const removed = await postGraphQL(
      stack.gatewayUrl,
      { query: `mutation { removeMember(userId: "${member.id}") }` },
      owner.headers(tenantA),
    );
    expect(removed.body.errors).toBeUndefined();
    await received.ended;
    expect(JSON.stringify(received.errors)).toMatch(/FORBIDDEN/);
  });

  it("ends a removed member's subscription on the removal's event, before tenancy's cache invalidation lands", async () => {
    const member = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'MEMBER');
    const received = connect(member, tenantA).subscribe<EventData>(EVENTS, {
      after: String(await latestSeq(tenantA)),
    });
    // One delivery first: the subscription is live and the gateway has cached the MEMBER role.
    await appendEvents(app, tenantA, 1);
    await waitFor(() => received.results.length >= 1);
    // The removal as tenancy commits it, but without the cache invalidation tenancy runs
    // after the commit (publishMembershipChanged): the window the relay can deliver the
    // removal's event in, held open here instead of hoped for under load.
    await stack.db.query(`DELETE FROM tenancy.memberships WHERE tenant_id = $1 AND user_id = $2`, [
      tenantA,
      member.id,
    ]);
    await runWithContext({ ...anonymousContext(randomUUID()), tenantId: tenantA }, () =>
      tenantScope(app, tenantA).run((manager) =>
        appendEvent(manager, {
          type: EventType.MEMBER_REMOVED,
          payload: { userId: member.id, role: 'MEMBER' },
          actor: { kind: 'system', id: null },
        }),
      ),
    );
    await waitFor(() => received.errors.length > 0);
    await received.ended;
    expect(JSON.stringify(received.errors)).toMatch(/FORBIDDEN/);
    expect(received.results).toHaveLength(1);
  });

  it('closes the socket with 4403 when the session is revoked', async () => {
    const user = await signUpMember(stack.gatewayUrl, stack.db, tenantA, 'VIEWER');
    const client = connect(user, tenantA);
    client.subscribe<EventData>(EVENTS);
    await client.connected;
    await postGraphQL(stack.gatewayUrl, { query: 'mutation { signOut }' }, user.headers());
    expect(await client.closed).toBe(4403);
  });
});

describe('failures', () => {
  it('loses nothing when the relay holder is killed mid-stream: another takes over', async () => {
    const standby = await spawnService('worker', { env: { ...stack.envOf('worker'), PORT: '0' } });
    try {
      const start = await latestSeq(tenantA);
      const received = connect(owner, tenantA).subscribe<EventData>(EVENTS, {
        after: String(start),
      });
      const writing = appendEvents(app, tenantA, 300);
      await waitFor(() => received.results.length >= 20);
      // Whichever worker holds the relay lock, one of them dies mid-burst.
      await stack.processes.get('worker')!.stop('SIGKILL');
      await writing;
      await waitFor(() => received.results.length >= 300, 30_000);
      expect(seqsOf(received.results)).toEqual(
        Array.from({ length: 300 }, (_, i) => Number(start) + i + 1),
      );
      received.unsubscribe();
    } finally {
      await standby.stop();
    }
  }, 60_000);

  it('closes sockets with 1001 when a gateway shuts down', async () => {
    const extra = await spawnService('gateway', {
      env: {
        ...stack.env,
        SUBGRAPH_AUTH_URL: `${stack.url('auth')}/graphql`,
        SUBGRAPH_TENANCY_URL: `${stack.url('tenancy')}/graphql`,
        SUBGRAPH_JOBS_URL: `${stack.url('jobs')}/graphql`,
      },
    });
    const client = connect(owner, tenantA, `${extra.url}/graphql`);
    client.subscribe<EventData>(EVENTS);
    await client.connected;
    expect(await extra.stop()).toBe(0);
    expect(await client.closed).toBe(1001);
  });
});

describe('connection refusals', () => {
  it.each([
    ['no credentials', () => ({ user: null, tenant: tenantA }), 4401],
    [
      'a garbage token',
      () => ({ user: null, tenant: tenantA, extra: { authorization: 'Bearer nope' } }),
      4401,
    ],
    ['a tenant the user is not in', () => ({ user: viewerB, tenant: tenantA }), 4403],
  ])('closes a connection with %s', async (_case, setup, code) => {
    const { user, tenant, extra } = setup() as {
      user: TestUser | null;
      tenant: string;
      extra?: object;
    };
    const client = connect(user, tenant, stack.gatewayUrl, extra);
    client.subscribe('subscription { events { seq } }');
    expect(await client.closed).toBe(code);
  });

  it('refuses a subscription that names no tenant, with a coded error', async () => {
    const received = connect(owner, undefined).subscribe('subscription { events { seq } }');
    await received.ended;
    expect(JSON.stringify(received.errors)).toMatch(/TENANT_REQUIRED/);
  });

  it('answers a malformed or invalid operation coded every time; a shared document gets every check again', async () => {
    const query = 'subscription { events { seq } }';
    const listening = await listeningNow(stack.url('gateway'));
    connect(owner, tenantA).subscribe(query);
    await waitForListening(stack.url('gateway'), listening + 1);
    // The same query text, parsed once for both: the second caller's own checks still refuse it.
    const noTenant = connect(owner, undefined).subscribe(query);
    await noTenant.ended;
    expect(JSON.stringify(noTenant.errors)).toMatch(/TENANT_REQUIRED/);
    // Failures are never kept: a repeat is parsed and refused again, with the same code.
    for (const [bad, code] of [
      ['subscription { events { seq ', 'GRAPHQL_PARSE_FAILED'],
      ['subscription { events { seq ', 'GRAPHQL_PARSE_FAILED'],
      ['subscription { events { nope } }', 'GRAPHQL_VALIDATION_FAILED'],
    ] as const) {
      const received = connect(owner, tenantA).subscribe(bad);
      await received.ended;
      expect(JSON.stringify(received.errors)).toContain(code);
    }
  });

  it('refuses a malformed afterSeq, with a coded error', async () => {
    const received = connect(owner, tenantA).subscribe(EVENTS, { after: 'abc' });
    await received.ended;
    expect(JSON.stringify(received.errors)).toMatch(/BAD_USER_INPUT/);
  });
});

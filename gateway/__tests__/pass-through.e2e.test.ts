import { createTenant, type ChaosTenant } from '../../testing/chaos/fixtures';
import {
  codeOf,
  metricValue,
  postGraphQL,
  scrape,
  type GraphQLResponse,
} from '../../testing/graphql-client';
import { signUpMember, signUpUser, type TestUser } from '../../testing/members';
import { startStack, type TestStack } from '../../testing/stack';

// The gateway's pass-through path (GATEWAY_PASS_THROUGH, on by default) answers a query planned
// as one fetch with the subgraph's answer as it is, once Apollo's path has validated and run
// that document. What it must keep: the very answer Apollo's path gives, every check Apollo's
// plugin makes (an outsider, a missing tenant, a role too low, a member removed a moment ago),
// each operation counted once, and errors answered and masked as Apollo answers them.

const PAGE = `query Page($first: Int) { page: assets(first: $first) { nodes { id name sizeBytes } } }`;

let stack: TestStack;
let tenant: ChaosTenant;
let viewer: TestUser;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'assets'] });
  tenant = await createTenant(stack);
  viewer = await signUpMember(stack.gatewayUrl, stack.db, tenant.tenantId, 'VIEWER');
  await stack.db.query(
    `INSERT INTO assets.assets (tenant_id, name, content_type, size_bytes, owner_id)
     SELECT $1, 'file-' || n || '.txt', 'text/plain', n * 100, $2 FROM generate_series(1, 5) n`,
    [tenant.tenantId, tenant.owner.id],
  );
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const passedThrough = async (outcome: 'answered' | 'handed_on') =>
  metricValue(await scrape(stack.url('gateway')), 'tessera_gateway_pass_through_total', {
    outcome,
  });

function ask(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<GraphQLResponse> {
  return postGraphQL(stack.gatewayUrl, { query, variables }, headers);
}

/** An answer as a client compares it: status, headers and body, request ids and dates aside. */
function comparable(response: GraphQLResponse) {
  return {
    status: response.status,
    headers: [...response.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)),
    body: response.text.replace(/"requestId":"[^"]*"/g, '"requestId":"…"'),
  };
}

/**
 * Apollo's answer, then the pass-through path's to the very same request, with the counts of
 * each outcome it took meanwhile. Apollo's path runs the document first (a query the gateway
 * has not run yet always takes it), or, for a request that is refused before it runs, a copy
 * of its text with a trailing space (which the pass-through path does not know).
 */
async function bothWays(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
  warm: 'same text' | 'copy' = 'same text',
) {
  const apollo = await ask(warm === 'copy' ? `${query} ` : query, variables, headers);
  const before = {
    answered: await passedThrough('answered'),
    handedOn: await passedThrough('handed_on'),
  };
  const passThrough = await ask(query, variables, headers);
  return {
    apollo,
    passThrough,
    answered: (await passedThrough('answered')) - before.answered,
    handedOn: (await passedThrough('handed_on')) - before.handedOn,
  };
}

describe('the pass-through path', () => {
  it("answers a single-fetch query with Apollo's very answer, and counts it once", async () => {
    const headers = viewer.headers(tenant.tenantId);
    const apollo = await ask(PAGE, { first: 3 }, headers); // Apollo's path validates and runs it
    const usage = async () =>
      metricValue(await scrape(stack.url('gateway')), 'tessera_usage_operations_total', {
        operation_type: 'query',
      });
    const operations = async () =>
      metricValue(await scrape(stack.url('gateway')), 'tessera_graphql_operations_total', {
        operation_name: 'Page',
        outcome: 'ok',
      });
    const before = {
      usage: await usage(),
      operations: await operations(),
      answered: await passedThrough('answered'),
    };

    const passThrough = await ask(PAGE, { first: 3 }, headers);

    expect(comparable(passThrough)).toEqual(comparable(apollo));
    expect(JSON.parse(passThrough.text)).toMatchObject({
      data: { page: { nodes: [{ name: expect.any(String) as unknown }, {}, {}] } },
    });
    expect((await passedThrough('answered')) - before.answered).toBe(1);
    expect((await usage()) - before.usage).toBe(1);
    expect((await operations()) - before.operations).toBe(1);
  });

  it('passes other variables on, and takes Apollo’s path for variables that do not coerce', async () => {
    const headers = viewer.headers(tenant.tenantId);
    const five = await bothWays(PAGE, { first: 5 }, headers);
    expect(comparable(five.passThrough)).toEqual(comparable(five.apollo));
    expect(five.passThrough.body.data).toMatchObject({ page: { nodes: { length: 5 } } });
    expect(five.answered).toBe(1);

    const wrong = await bothWays(PAGE, { first: 'many' }, headers);
    expect(codeOf(wrong.passThrough)).toBe('BAD_USER_INPUT');
    expect(comparable(wrong.passThrough)).toEqual(comparable(wrong.apollo));
    expect([wrong.answered, wrong.handedOn]).toEqual([0, 0]);
  });

  it("refuses an outsider, a missing tenant and a role too low as Apollo's path does", async () => {
    const outsider = await signUpUser(stack.gatewayUrl, 'outsider');
    await ask(PAGE, { first: 1 }, viewer.headers(tenant.tenantId));
    const keys = 'query Keys { myApiKeys { id name } }';
    expect(codeOf(await ask(keys, {}, tenant.owner.headers(tenant.tenantId)))).toBeUndefined();

    const refusals = [
      [PAGE, outsider.headers(tenant.tenantId), 'FORBIDDEN'],
      [PAGE, viewer.headers(), 'TENANT_REQUIRED'],
      [keys, viewer.headers(tenant.tenantId), 'FORBIDDEN'],
    ] as const;
    for (const [query, headers, code] of refusals) {
      const refused = await bothWays(query, { first: 1 }, headers, 'copy');
      expect(codeOf(refused.passThrough)).toBe(code);
      expect(comparable(refused.passThrough)).toEqual(comparable(refused.apollo));
      expect([refused.answered, refused.handedOn]).toEqual([0, 1]);
    }
  });

  it('refuses a member removed a moment ago on their next request', async () => {
    const leaving = await signUpMember(stack.gatewayUrl, stack.db, tenant.tenantId, 'VIEWER');
    const headers = leaving.headers(tenant.tenantId);
    await ask(PAGE, { first: 1 }, headers);
    const answered = await passedThrough('answered');
    expect(codeOf(await ask(PAGE, { first: 1 }, headers))).toBeUndefined();
    expect((await passedThrough('answered')) - answered).toBe(1);

    const removed = await ask(
      'mutation ($userId: ID!) { removeMember(userId: $userId) }',
      { userId: leaving.id },
      tenant.owner.headers(tenant.tenantId),
    );
    expect(removed.body.data).toEqual({ removeMember: true });

    const after = await ask(PAGE, { first: 1 }, headers);
    expect(after.status).toBe(403);
    expect(codeOf(after)).toBe('FORBIDDEN');
    expect(after.body.data).toBeUndefined();
  });

  it("hands a subgraph's error to Apollo, answered and masked as Apollo answers it", async () => {
    const query =
      'query After($after: Cursor) { assets(first: 2, after: $after) { nodes { id } } }';
    const failed = await bothWays(
      query,
      { after: 'not a cursor' },
      viewer.headers(tenant.tenantId),
    );
    expect(codeOf(failed.passThrough)).toBe(codeOf(failed.apollo));
    expect(codeOf(failed.passThrough)).toBeDefined();
    expect(comparable(failed.passThrough)).toEqual(comparable(failed.apollo));
    expect([failed.answered, failed.handedOn]).toEqual([0, 1]);
  });

  it('hands a fetch that failed to Apollo: the subgraph gone answers as on its path', async () => {
    const headers = viewer.headers(tenant.tenantId);
    await ask(PAGE, { first: 2 }, headers);
    await stack.processes.get('assets')!.stop('SIGTERM');
    const gone = await bothWays(PAGE, { first: 2 }, headers, 'copy');
    expect(codeOf(gone.passThrough)).toBe('SERVICE_UNAVAILABLE');
    expect(codeOf(gone.apollo)).toBe('SERVICE_UNAVAILABLE');
    expect(gone.passThrough.status).toBe(gone.apollo.status);
    expect(gone.passThrough.body.data).toEqual(gone.apollo.body.data);
    expect([gone.answered, gone.handedOn]).toEqual([0, 1]);
  });
});

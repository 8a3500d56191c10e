import { serverAudits, type AuditFail, type AuditResult } from 'graphql-http';
import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';
import { startStack, type TestStack } from '../../testing/stack';

// The GraphQL-over-HTTP conformance audit of graphql-http (`serverAudits`) against the real
// gateway: once as it runs in development and tests (introspection on), once with
// introspection off as in production.

let stack: TestStack;
/** A second gateway over the same subgraphs with GATEWAY_INTROSPECTION=false. */
let productionLike: ServiceProcess;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy'] });
  productionLike = await spawnService('gateway', {
    env: {
      ...stack.env,
      GATEWAY_INTROSPECTION: 'false',
      GATEWAY_SANDBOX: 'false',
      SUBGRAPH_AUTH_URL: `${stack.url('auth')}/graphql`,
      SUBGRAPH_TENANCY_URL: `${stack.url('tenancy')}/graphql`,
    },
  });
}, 120_000);

afterAll(async () => {
  await productionLike?.stop();
  await stack?.stop();
});

/**
 * The audits' requests plus the one header a legitimate non-browser client must add:
 * Apollo's CSRF prevention refuses a GET without a header a browser would have to preflight
 * (docs/security.md, the gateway's edge). No credentials: every audit query is one anonymous
 * callers may run.
 */
const fetchFn = (input: string, init: RequestInit = {}): Promise<Response> =>
  fetch(input, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), 'apollo-require-preflight': 'true' },
  });

/**
 * SHOULDs the gateway deliberately answers otherwise (docs/security.md): under
 * `application/json` a document that does not parse or validate, or variables that do not
 * coerce, get 400 (Apollo Server's answer, and what the gateway's own limits give), not 200,
 * so proxies, caches and dashboards see a client error for a request that never ran.
 */
const DELIBERATE: Record<string, string> = {
  '572B': 'SHOULD use 200 status code on document parsing failure when accepting application/json',
  FDE2: 'SHOULD use 200 status code on document validation failure when accepting application/json',
  '7B9B':
    'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
};

/** Audits whose query asks `__type`, which a gateway without introspection refuses. */
const INTROSPECTING = ['BF61', '28B9', '2EA1', 'D6D5', '6A70'];

async function audit(url: string): Promise<AuditResult[]> {
  // One at a time: the gateway's per-IP rate limit counts them like any client's requests.
  const results: AuditResult[] = [];
  for (const { fn } of serverAudits({ url, fetchFn })) results.push(await fn());
  return results;
}

/** Each failed audit with its reason and the start of the answer, readable in a failure. */
async function failuresOf(results: AuditResult[]): Promise<Record<string, string>> {
  const failures: Record<string, string> = {};
  for (const result of results) {
    if (result.status === 'ok') continue;
    const body = await result.response.text().catch(() => '');
    failures[result.id] =
      `${result.status} ${result.name}: ${result.reason} (${result.response.status} ${body.slice(0, 200)})`;
  }
  return failures;
}

it('passes every MUST, SHOULD and MAY audit but the SHOULDs it deliberately answers otherwise', async () => {
  const results = await audit(stack.gatewayUrl);
  expect(results.filter((result) => result.name.startsWith('MUST')).length).toBeGreaterThan(10);
  const failures = await failuresOf(results);
  const unexpected = Object.entries(failures).filter(([id]) => !(id in DELIBERATE));
  expect(unexpected).toEqual([]);
  // One of these passing would make the list of deliberate differences in docs/security.md stale.
  expect(Object.keys(failures).sort()).toEqual(Object.keys(DELIBERATE).sort());
  for (const [id, name] of Object.entries(DELIBERATE)) {
    expect(failures[id]).toContain(`warn ${name}:`);
  }
});

it('with introspection off, fails only the audits whose query asks __type, and only for that', async () => {
  const results = await audit(`${productionLike.url}/graphql`);
  const failed = results.filter((result): result is AuditFail => result.status !== 'ok');
  expect(failed.map((result) => result.id).sort()).toEqual(
    [...INTROSPECTING, ...Object.keys(DELIBERATE)].sort(),
  );
  for (const result of failed.filter((candidate) => INTROSPECTING.includes(candidate.id))) {
    const body = (await result.response.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(result.response.status).toBe(400);
    expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors[0]!.message).toMatch(/introspection is not allowed/);
  }
});

it('with introspection off, still accepts a UTF-8 request and a map of variables (MUST BF61, 28B9)', async () => {
  const response = await fetchFn(`${productionLike.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
    body: JSON.stringify({
      // Names are ASCII in GraphQL: the UTF-8 goes in a comment the parser must still read.
      query: 'query Run($skip: Boolean!) { __typename @skip(if: $skip) } # Run🏃Swim🏊',
      variables: { skip: false },
    }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
});

it('answers a body that is not JSON with 400 in the media type the client accepts', async () => {
  const post = (accept?: string) =>
    fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) },
      body: '{ "not a JSON',
    });
  for (const [accept, expected] of [
    ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
    ['application/json', 'application/json; charset=utf-8'],
    [undefined, 'application/json; charset=utf-8'],
  ] as const) {
    const response = await post(accept);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe(expected);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'Request body is not valid JSON',
          extensions: { code: 'BAD_USER_INPUT', requestId: response.headers.get('x-request-id') },
        },
      ],
    });
  }
});

import { createHash } from 'node:crypto';
import { startBenchSubgraphs, type BenchSubgraphs } from '../../bench/gateway/bench-subgraphs';
import type { BenchProcess } from '../../bench/gateway/child-process';
import { GATEWAYS } from '../../bench/gateway/gateways';

// The gateway in generic mode (GATEWAY_POLICIES=off) in front of a supergraph that is not
// Tessera's, as a real process: no PostgreSQL, no Redis. What its executor adds around
// Apollo Server: automatic persisted queries, the query plan cache's counts, and coded errors
// when a subgraph goes away.

let subgraphs: BenchSubgraphs;
let gateway: BenchProcess;

beforeAll(async () => {
  subgraphs = await startBenchSubgraphs();
  gateway = await GATEWAYS.find((candidate) => candidate.key === 'tessera')!.start(
    subgraphs.supergraphPath,
  );
});

afterAll(async () => {
  await gateway?.stop();
  await subgraphs?.stop();
});

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function planLookups(): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(gateway.metricsUrl!)).text();
  const count = (result: string) =>
    Number(
      new RegExp(
        `tessera_cache_lookups_total\\{cache="query_plan",result="${result}"[^}]*\\} (\\d+)`,
      ).exec(text)?.[1] ?? 0,
    );
  return { hit: count('hit'), miss: count('miss') };
}

async function passedThrough(): Promise<number> {
  const text = await (await fetch(gateway.metricsUrl!)).text();
  return Number(
    /tessera_gateway_pass_through_total\{outcome="answered"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0,
  );
}

it('plans a document once and counts every later request as a plan cache hit', async () => {
  // Two subgraphs: the executor runs the plan every time (a one-fetch query passes through).
  const query = `{ topProducts { upc name inStock } }`;
  const before = await planLookups();
  for (let i = 0; i < 3; i++) {
    const answer = await post({ query });
    expect(answer.body.errors).toBeUndefined();
  }
  const after = await planLookups();
  expect(after.miss - before.miss).toBe(1);
  expect(after.hit - before.hit).toBe(2);
});

it('answers a one-fetch query it has run once with the subgraph answer, policies off', async () => {
  const query = `{ topProducts { upc name price } }`;
  const first = await post({ query });
  const before = await passedThrough();
  const again = await post({ query });
  expect(again).toEqual(first);
  expect((await passedThrough()) - before).toBe(1);
});

it('serves automatic persisted queries: unknown hash, then registered, then by hash alone', async () => {
  const query = `{ users { id username } }`;
  const persistedQuery = {
    version: 1,
    sha256Hash: createHash('sha256').update(query).digest('hex'),
  };
  const unknown = await post({ extensions: { persistedQuery } });
  expect(unknown.body.errors).toEqual([
    expect.objectContaining({
      extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_FOUND' }),
    }),
  ]);
  const registered = await post({ query, extensions: { persistedQuery } });
  expect(registered.body.errors).toBeUndefined();
  const byHash = await post({ extensions: { persistedQuery } });
  expect(byHash.body).toEqual(registered.body);
});

it('refuses a persisted query whose hash does not match its text', async () => {
  const answer = await post({
    query: '{ users { id } }',
    extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } },
  });
  expect(answer.status).toBe(400);
  expect(answer.body.errors).toEqual([
    expect.objectContaining({
      message: 'provided sha does not match query',
      extensions: expect.objectContaining({ code: 'BAD_REQUEST' }),
    }),
  ]);
});

it('answers SERVICE_UNAVAILABLE with a request id for the fields of a subgraph that is gone', async () => {
  const inventory = subgraphs.processes[BENCH_INVENTORY_INDEX]!;
  await inventory.stop();
  const answer = await post({ query: `{ users { id } topProducts { upc inStock } }` });
  expect(answer.status).toBe(200);
  const errors = answer.body.errors as { extensions: Record<string, unknown> }[];
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 5 });
    expect(error.extensions.requestId).toEqual(expect.any(String));
  }
  // Fields other subgraphs serve are still answered.
  const users = await post({ query: `{ users { id } }` });
  expect(users.body.errors).toBeUndefined();
});

/** bench-subgraphs.ts starts users, products, inventory, reviews in that order. */
const BENCH_INVENTORY_INDEX = 2;

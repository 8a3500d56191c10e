import { ApolloServer } from '@apollo/server';
import { FederatedGateway } from '../federated-gateway';
import { startFederationFixture, type FederationFixture } from './fixtures/federation-fixture';

// Identical queries of the same caller that overlap in time run once; anything that differs
// (variables, caller, a mutation) runs on its own.

let fixture: FederationFixture;
let server: ApolloServer<{ caller: string }>;
let deduplicated = 0;

beforeAll(async () => {
  fixture = await startFederationFixture();
  server = new ApolloServer<{ caller: string }>({
    gateway: new FederatedGateway<{ caller: string }>({
      supergraphSdl: fixture.supergraphSdl,
      pool: { connections: 4, pipelining: 1, timeoutMs: 5_000, maxResponseBytes: 1024 * 1024 },
      planCacheSize: 100,
      deduplicationKey: ({ caller }) => (caller === 'nobody' ? undefined : caller),
      countDeduplicated: () => deduplicated++,
    }),
  });
  await server.start();
});

afterAll(async () => {
  await server?.stop();
  await fixture?.stop();
});

async function ask(query: string, caller: string, variables?: Record<string, unknown>) {
  const response = await server.executeOperation(
    { query, variables },
    { contextValue: { caller } },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return JSON.parse(JSON.stringify(response.body.singleResult)) as {
    data?: Record<string, unknown>;
    errors?: unknown[];
  };
}

function counted<T>(run: () => Promise<T>): Promise<{ result: T; users: number; dedup: number }> {
  const users = fixture.requests.accounts;
  const dedup = deduplicated;
  return run().then((result) => ({
    result,
    users: fixture.requests.accounts - users,
    dedup: deduplicated - dedup,
  }));
}

const USERS = 'query Users($id: ID!) { user(id: $id) { id name } }';

it('runs five identical concurrent queries once and gives each the answer', async () => {
  const { result, users, dedup } = await counted(() =>
    Promise.all(Array.from({ length: 5 }, () => ask(USERS, 'ada', { id: 'u1' }))),
  );
  expect(users).toBe(1);
  expect(dedup).toBe(4);
  for (const answer of result)
    expect(answer).toEqual({ data: { user: { id: 'u1', name: 'Ada' } } });
});

it('runs queries with other variables, or of other callers, on their own', async () => {
  const { result, users, dedup } = await counted(() =>
    Promise.all([
      ask(USERS, 'ada', { id: 'u1' }),
      ask(USERS, 'ada', { id: 'u2' }),
      ask(USERS, 'grace', { id: 'u1' }),
      ask(USERS, 'nobody', { id: 'u1' }),
      ask(USERS, 'nobody', { id: 'u1' }),
    ]),
  );
  expect(users).toBe(5);
  expect(dedup).toBe(0);
  expect(result.map((answer) => (answer.data?.user as { name: string }).name)).toEqual([
    'Ada',
    'Grace',
    'Ada',
    'Ada',
    'Ada',
  ]);
});

it('never shares a mutation', async () => {
  const mutation = 'mutation { addReview(upc: "p1", body: "same") { id } }';
  const { result, dedup } = await counted(() =>
    Promise.all([ask(mutation, 'ada'), ask(mutation, 'ada')]),
  );
  expect(dedup).toBe(0);
  const ids = result.map((answer) => (answer.data?.addReview as { id: string }).id);
  expect(new Set(ids).size).toBe(2);
});

it('runs a query again once the identical one before it has finished', async () => {
  const { users, dedup } = await counted(async () => {
    await ask(USERS, 'ada', { id: 'u1' });
    await ask(USERS, 'ada', { id: 'u1' });
  });
  expect(users).toBe(2);
  expect(dedup).toBe(0);
});

it('answers an operationName that names no operation with a coded error', async () => {
  const response = await server.executeOperation(
    { query: 'query A { users { id } }', operationName: 'B' },
    { contextValue: { caller: 'ada' } },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  expect(response.body.singleResult.errors?.[0]).toMatchObject({
    extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
  });
});

it('refuses a variable nested 100 000 deep with a coded error before keying on it', async () => {
  let nested: unknown = 'u1';
  for (let depth = 0; depth < 100_000; depth++) nested = [nested];
  const response = await server.executeOperation(
    { query: 'query Q($id: ID!) { user(id: $id) { id } }', variables: { id: nested } },
    { contextValue: { caller: 'ada' } },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  expect(response.body.singleResult.errors?.[0]).toMatchObject({
    extensions: { code: 'BAD_USER_INPUT' },
  });
});

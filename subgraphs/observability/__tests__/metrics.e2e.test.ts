import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '../../../platform/contracts/jobs/queue-names';
import { queuePrefix } from '../../../platform/redis/connection';
import { metricValue, scrape, dataOf } from '../../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../../testing/members';
import { TEST_REDIS_URL } from '../../../testing/services';
import { startStack, type TestStack } from '../../../testing/stack';
import { gqlClient } from './observability-client';
import { eventually } from '../../../testing/eventually';

// Known traffic against the real processes, then their /metrics read back: every number
// moves by exactly what the traffic should have caused.

let stack: TestStack;
let redis: Redis;
let owner: TestUser;
const tenant = randomUUID();
const gql = gqlClient(() => stack.gatewayUrl);

beforeAll(async () => {
  stack = await startStack({ worker: true });
  await stack.db.query(`INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'metered', 'M')`, [
    tenant,
  ]);
  owner = await signUpMember(stack.gatewayUrl, stack.db, tenant, 'OWNER');
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
}, 120_000);

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

/** The change of each sample between two scrapes of `service`, while `traffic` runs. */
async function delta(
  service: Parameters<TestStack['url']>[0],
  samples: [name: string, labels?: Record<string, string>][],
  traffic: () => Promise<unknown>,
): Promise<number[]> {
  const before = await scrape(stack.url(service));
  await traffic();
  const after = await scrape(stack.url(service));
  return samples.map(
    ([name, labels]) => metricValue(after, name, labels) - metricValue(before, name, labels),
  );
}

describe('/metrics after known traffic', () => {
  it('counts GraphQL operations by name at the gateway and in the subgraph, bounded', async () => {
    const probe = { operation_name: 'MetricsProbe', operation_type: 'query' };
    const gateway = await delta(
      'gateway',
      [
        ['tessera_graphql_operations_total', { ...probe, outcome: 'ok' }],
        ['tessera_graphql_operation_duration_seconds_count', probe],
        [
          'tessera_graphql_operations_total',
          { operation_name: 'MetricsRefused', outcome: 'error' },
        ],
        [
          'tessera_gateway_subgraph_fetch_duration_seconds_count',
          { subgraph: 'observability', outcome: 'ok' },
        ],
      ],
      async () => {
        for (let i = 0; i < 3; i += 1) {
          dataOf(await gql('query MetricsProbe { health { status } }'));
        }
        // Tenant-scoped without a tenant: refused at the gateway, counted as an error.
        await gql('query MetricsRefused { alertRules { id } }');
      },
    );
    expect(gateway).toEqual([3, 3, 1, 3]);

    // The subgraph sees the gateway's name for its fetch: `<operation>__<subgraph>__<n>`.
    const subgraph = await delta(
      'observability',
      [['tessera_graphql_operations_total', { operation_name: 'MetricsProbe__observability__0' }]],
      () => gql('query MetricsProbe { health { status } }'),
    );
    expect(subgraph).toEqual([1]);
  });

  it('counts hits and misses of the role, API key and JWKS caches', async () => {
    // A fresh membership: the first tenant-scoped request misses the role cache, the next hits.
    const member = await signUpMember(stack.gatewayUrl, stack.db, tenant, 'ADMIN');
    const cache = (name: string, result: string): [string, Record<string, string>] => [
      'tessera_cache_lookups_total',
      { cache: name, result },
    ];
    const roles = await delta(
      'gateway',
      [
        cache('role', 'miss'),
        cache('role', 'hit'),
        cache('jwks', 'hit'),
        cache('jwks', 'miss'),
        cache('access_token', 'miss'),
        cache('access_token', 'hit'),
      ],
      async () => {
        dataOf(await gql('{ alertRules { id } }', member.headers(tenant)));
        dataOf(await gql('{ alertRules { id } }', member.headers(tenant)));
      },
    );
    // The gateway's first bearer token (until now every request here was anonymous) is checked
    // against the key set, which is fetched: a miss. The same token again reuses its checked
    // signature: the key set is not consulted.
    expect(roles).toEqual([1, 1, 0, 1, 1, 1]);

    const key = dataOf(
      await gql<{ createApiKey: { secret: string } }>(
        `mutation { createApiKey(name: "metrics", scopes: ["alerts:manage"]) { secret } }`,
        owner.headers(tenant),
      ),
    ).createApiKey.secret;
    const apiKeys = await delta(
      'gateway',
      [cache('api_key', 'miss'), cache('api_key', 'hit')],
      async () => {
        for (let i = 0; i < 3; i += 1) {
          dataOf(await gql('{ alertRules { id } }', { 'x-api-key': key, 'x-tenant-id': tenant }));
        }
      },
    );
    expect(apiKeys).toEqual([1, 2]);

    const route = await delta(
      'gateway',
      [cache('jwks_route', 'miss'), cache('jwks_route', 'hit')],
      async () => {
        for (let i = 0; i < 2; i += 1) {
          expect((await fetch(`${stack.url('gateway')}/.well-known/jwks.json`)).status).toBe(200);
        }
      },
    );
    expect(route).toEqual([1, 1]);
  });

  it('shows every database pool and the depth of every queue', async () => {
    const auth = await scrape(stack.url('auth'));
    expect(
      metricValue(auth, 'tessera_db_pool_connections', { pool: 'tessera-auth', state: 'max' }),
    ).toBe(3);
    expect(
      metricValue(auth, 'tessera_db_pool_connections', { pool: 'tessera-auth', state: 'idle' }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(auth, 'tessera_db_pool_waiting_clients', { pool: 'tessera-auth' })).toBe(0);

    const queue = new Queue(QueueName.TENANT_PURGE, {
      connection: redis,
      prefix: queuePrefix(stack.redisPrefix),
    });
    try {
      await queue.pause();
      await queue.add('metrics-probe', {}, { delay: 3_600_000 });
      await queue.add('metrics-probe', {}, { delay: 3_600_000 });
      const page = await eventually(async () => {
        const text = await scrape(stack.url('worker'));
        return metricValue(text, 'tessera_queue_jobs', {
          queue: QueueName.TENANT_PURGE,
          state: 'delayed',
        }) === 2
          ? text
          : undefined;
      });
      expect(
        metricValue(page, 'tessera_queue_jobs', { queue: QueueName.ALERTS, state: 'failed' }),
      ).toBe(0);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('keeps job durations and subscription and relay gauges', async () => {
    const worker = await scrape(stack.url('worker'));
    // The alert evaluation runs on a schedule from the start: at least one timed job.
    await eventually(
      async () =>
        metricValue(await scrape(stack.url('worker')), 'tessera_job_duration_seconds_count', {
          queue: QueueName.ALERTS,
        }) > 0
          ? true
          : undefined,
      45_000,
    );
    expect(worker).toContain('tessera_relay_lag_seconds');
    const gateway = await scrape(stack.url('gateway'));
    expect(gateway).toContain('tessera_subscriptions_active');
  });
});

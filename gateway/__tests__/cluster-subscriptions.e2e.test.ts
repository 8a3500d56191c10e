import { randomUUID } from 'node:crypto';
import { postGraphQL } from '../../testing/graphql-client';
import { signUpMember, type TestUser } from '../../testing/members';
import { startStack, type TestStack } from '../../testing/stack';
import { connectWs, waitFor, type WsClient } from '../../testing/ws-client';

// Subscriptions through a gateway running GATEWAY_WORKERS=2: each socket lives on one worker,
// and the relay's events reach every worker through Redis.

const tenantId = randomUUID();
let stack: TestStack;
let owner: TestUser;
const clients: WsClient[] = [];

const EVENTS = 'subscription { events(types: ["tenancy.tenant.updated"]) { type } }';

beforeAll(async () => {
  stack = await startStack({
    subgraphs: ['auth', 'tenancy', 'jobs'],
    worker: true,
    env: { GATEWAY_WORKERS: '2' },
  });
  await waitFor(
    () =>
      stack.logs.filter((log) => log.service === 'gateway' && log.entry?.msg === 'worker listening')
        .length >= 2,
    30_000,
  );
  await stack.db.query(
    `INSERT INTO tenancy.tenants (id, slug, name) VALUES ($1, 'clustered', 'C')`,
    [tenantId],
  );
  owner = await signUpMember(stack.gatewayUrl, stack.db, tenantId, 'OWNER');
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await stack?.stop();
});

it('delivers an event to sockets on both workers, then closes them with 1001 on SIGTERM', async () => {
  // Opened one after the other, the primary hands the two connections to different workers.
  for (let i = 0; i < 2; i++) {
    clients.push(
      connectWs(stack.gatewayUrl, { authorization: `Bearer ${owner.accessToken}`, tenantId }),
    );
  }
  const received = clients.map((client) => client.subscribe<{ events: { type: string } }>(EVENTS));
  // A subscription counts once the gateway has subscribed to the tenant's channel; until
  // then an event could pass unseen, so write (a new name each time: an update that changes
  // nothing records no event) until both have one.
  let writes = 0;
  await waitFor(async () => {
    if (received.every((subscription) => subscription.results.length > 0)) return true;
    const response = await postGraphQL(
      stack.gatewayUrl,
      {
        query: 'mutation ($name: String) { updateTenant(name: $name) { name } }',
        variables: { name: `Clustered ${++writes}` },
      },
      owner.headers(tenantId),
    );
    expect(response.body.errors).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 200));
    return false;
  }, 30_000);
  for (const subscription of received) {
    expect(subscription.errors).toEqual([]);
    expect(subscription.results[0]).toEqual({ events: { type: 'tenancy.tenant.updated' } });
  }

  const gateway = stack.processes.get('gateway')!;
  await gateway.stop();
  expect(await Promise.all(clients.map((client) => client.closed))).toEqual([1001, 1001]);
  expect(await gateway.exited).toBe(0);
});

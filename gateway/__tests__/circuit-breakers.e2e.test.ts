import { spawnService, type ServiceProcess } from '../../scripts/lib/service-process';
import { createTenant, serviceEnv, type ChaosTenant } from '../../testing/chaos/fixtures';
import { eventually } from '../../testing/eventually';
import { startFaultProxy, type FaultProxy } from '../../testing/fault-proxy';
import {
  metricValue,
  postGraphQL,
  scrape,
  type GraphQLResponse,
  codeOf,
} from '../../testing/graphql-client';
import { startStack, type TestStack } from '../../testing/stack';

// A real stack, and a second gateway whose jobs subgraph and tenancy internal routes sit behind
// fault proxies the tests fail or hang on demand: the gateway's circuit breakers and bulkheads
// refuse calls to what stopped answering, and only to that.

let stack: TestStack;
let gateway: ServiceProcess;
let jobs: FaultProxy;
let tenancyInternal: FaultProxy;
let tenant: ChaosTenant;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['auth', 'tenancy', 'jobs'] });
  [jobs, tenancyInternal] = await Promise.all([
    startFaultProxy(stack.url('jobs')),
    startFaultProxy(stack.url('tenancy')),
  ]);
  gateway = await spawnService('gateway', {
    env: {
      ...serviceEnv(stack, 'gateway'),
      SUBGRAPH_JOBS_URL: `${jobs.url}/graphql`,
      TENANCY_INTERNAL_URL: tenancyInternal.url,
      AUTH_INTERNAL_URL: stack.url('auth'),
      GATEWAY_SUBGRAPH_TIMEOUT_MS: '500',
      GATEWAY_BREAKER_FAILURE_THRESHOLD: '2',
      // Longer than a few timeouts in a row, so an open circuit is seen open.
      GATEWAY_BREAKER_COOL_DOWN_MS: '4000',
      GATEWAY_BULKHEAD_MAX_CONCURRENT: '2',
      GATEWAY_BULKHEAD_MAX_QUEUED: '1',
    },
  });
  tenant = await createTenant(stack, `${gateway.url}/graphql`);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([jobs?.close(), tenancyInternal?.close()]);
  await stack?.stop();
});

afterEach(() => {
  jobs.mode = 'pass';
  tenancyInternal.mode = 'pass';
});

let distinct = 0;
/** A query to jobs; each with variables of its own, so concurrent ones are never merged. */
function eventsQuery(): Promise<GraphQLResponse> {
  distinct += 1;
  return postGraphQL(
    `${gateway.url}/graphql`,
    {
      query: 'query ($n: Int) { events(first: $n) { nodes { seq } } }',
      variables: { n: (distinct % 50) + 1 },
    },
    tenant.owner.headers(tenant.tenantId),
  );
}

const succeeded = (response: GraphQLResponse) => !response.body.errors && !!response.body.data;
const metrics = () => scrape(gateway.url);

/** Sends requests until one is refused without reaching the proxy; returns that answer. */
async function untilRefusedWithoutCall(
  proxy: FaultProxy,
  send: () => Promise<GraphQLResponse>,
): Promise<GraphQLResponse> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const before = proxy.received;
    const response = await send();
    if (proxy.received === before) return response;
    expect(succeeded(response)).toBe(false);
  }
  throw new Error('the circuit never refused a call');
}

it('a failing subgraph opens its circuit: refused at once with SERVICE_UNAVAILABLE, the others answer, a probe closes it', async () => {
  jobs.mode = 'fail';
  const refused = await untilRefusedWithoutCall(jobs, eventsQuery);
  expect(refused.body.errors?.[0]?.extensions).toMatchObject({
    code: 'SERVICE_UNAVAILABLE',
    retryAfter: expect.any(Number),
    requestId: expect.any(String),
  });
  // Seconds until the cool-down ends.
  expect(refused.body.errors?.[0]?.extensions?.retryAfter).toBeLessThanOrEqual(4);
  // events is non-null: its null reaches the root.
  expect(refused.body.data).toBeNull();
  let page = await metrics();
  expect(metricValue(page, 'tessera_circuit_state', { target: 'jobs' })).toBe(2);
  expect(
    metricValue(page, 'tessera_circuit_rejections_total', { target: 'jobs', reason: 'open' }),
  ).toBeGreaterThanOrEqual(1);

  // Tenancy's own requests are untouched by jobs' circuit.
  const other = await postGraphQL(
    `${gateway.url}/graphql`,
    { query: '{ tenant { id } }' },
    tenant.owner.headers(tenant.tenantId),
  );
  expect(other.body).toEqual({ data: { tenant: { id: tenant.tenantId } } });
  expect(metricValue(page, 'tessera_circuit_state', { target: 'tenancy' })).toBe(0);

  jobs.mode = 'pass';
  await eventually(async () => succeeded(await eventsQuery()));
  page = await metrics();
  expect(metricValue(page, 'tessera_circuit_state', { target: 'jobs' })).toBe(0);
});

it('a hanging subgraph: its fetches time out and open the circuit, the bulkhead refuses beyond its slots and queue', async () => {
  jobs.mode = 'hang';
  const rejections = (page: string, reason: string) =>
    metricValue(page, 'tessera_circuit_rejections_total', { target: 'jobs', reason });
  const pageBefore = await metrics();
  const fullBefore = rejections(pageBefore, 'bulkhead_full');
  const openBefore = rejections(pageBefore, 'open');
  const receivedBefore = jobs.received;
  // Two take the slots, one waits in the queue, the fourth is refused at once.
  const answers = await Promise.all([eventsQuery(), eventsQuery(), eventsQuery(), eventsQuery()]);
  expect(answers.map(codeOf)).toEqual(Array(4).fill('SERVICE_UNAVAILABLE'));
  // The fourth never reached the subgraph (the queued one may have, if a slot freed before the
  // second timeout opened the circuit).
  expect(jobs.received - receivedBefore).toBeLessThanOrEqual(3);
  // Two timeouts in a row opened the circuit: the next query is refused without a call.
  const receivedWhenOpen = jobs.received;
  expect(codeOf(await eventsQuery())).toBe('SERVICE_UNAVAILABLE');
  expect(jobs.received).toBe(receivedWhenOpen);
  const page = await metrics();
  // The fourth was refused by the full bulkhead; on a machine so loaded that it arrived after
  // the two timeouts, by the open circuit instead. Either way at once, and counted once.
  const full = rejections(page, 'bulkhead_full') - fullBefore;
  expect(full).toBeLessThanOrEqual(1);
  // The query above was refused by the open circuit (and the queued one may have been too).
  expect(full + rejections(page, 'open') - openBefore).toBeGreaterThanOrEqual(2);
  expect(metricValue(page, 'tessera_circuit_state', { target: 'jobs' })).toBe(2);

  jobs.mode = 'pass';
  await eventually(async () => succeeded(await eventsQuery()));
});

it('tenancy’s role lookups, which the gateway makes itself, have a circuit of their own', async () => {
  // A tenant whose roles this gateway has not cached yet: every request asks tenancy.
  const fresh = await createTenant(stack);
  const tenantQuery = () =>
    postGraphQL(
      `${gateway.url}/graphql`,
      { query: '{ tenant { id } }' },
      fresh.owner.headers(fresh.tenantId),
    );
  tenancyInternal.mode = 'fail';
  const refused = await untilRefusedWithoutCall(tenancyInternal, tenantQuery);
  expect(codeOf(refused)).toBe('SERVICE_UNAVAILABLE');
  expect(refused.body.errors?.[0]?.extensions?.retryAfter).toBeGreaterThanOrEqual(1);
  expect(
    metricValue(await metrics(), 'tessera_circuit_state', { target: 'tenancy-internal' }),
  ).toBe(2);

  tenancyInternal.mode = 'pass';
  const recovered = await eventually(async () => {
    const response = await tenantQuery();
    return succeeded(response) && response;
  });
  expect(recovered.body.data).toEqual({ tenant: { id: fresh.tenantId } });
  expect(
    metricValue(await metrics(), 'tessera_circuit_state', { target: 'tenancy-internal' }),
  ).toBe(0);
});

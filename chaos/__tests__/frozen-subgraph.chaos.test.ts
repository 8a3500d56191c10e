import { percentile } from '../../bench/lib/load';
import { createTenant, startChaosStack, type ChaosTenant } from '../../testing/chaos/fixtures';
import { describeCodes, countCodes, reportScenario } from '../../testing/chaos/report';
import { stopStragglers } from '../../testing/chaos/stragglers';
import { startTraffic, type Outcome, type Traffic } from '../../testing/chaos/traffic';
import { eventually } from '../../testing/eventually';
import { metricValue, scrape } from '../../testing/graphql-client';
import type { TestStack } from '../../testing/stack';
import { waitFor } from '../../testing/ws-client';

// One subgraph (jobs) frozen with SIGSTOP under traffic: its process holds its connections and
// answers nothing, as a subgraph stuck in a long GC pause or a hung host does. Requests to the
// other subgraphs must not notice (p99 within 2x of their own baseline, measured in this run),
// requests to the frozen one fail fast with SERVICE_UNAVAILABLE once its circuit is open, and
// it recovers by itself after SIGCONT.

const SUBGRAPH_TIMEOUT_MS = 1_000;
/** Requests to the healthy subgraphs in each measured phase. */
const SAMPLE = 400;

let stack: TestStack;
let tenant: ChaosTenant;
const gatewayBase = () => stack.gatewayUrl.replace(/\/graphql$/, '');
const jobsState = async () =>
  metricValue(await scrape(gatewayBase()), 'tessera_circuit_state', { target: 'jobs' });

beforeAll(async () => {
  stack = await startChaosStack({
    worker: false,
    env: {
      GATEWAY_SUBGRAPH_TIMEOUT_MS: String(SUBGRAPH_TIMEOUT_MS),
      GATEWAY_BREAKER_FAILURE_THRESHOLD: '3',
      GATEWAY_BREAKER_COOL_DOWN_MS: '2000',
    },
  });
  tenant = await createTenant(stack);
}, 120_000);

afterAll(async () => {
  stack?.processes.get('jobs')?.child.kill('SIGCONT');
  await stopStragglers();
  await stack?.stop();
});

/** The latencies of `outcomes`, ascending. */
const sortedLatencies = (outcomes: readonly Outcome[]) =>
  outcomes.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);

/** Waits until `traffic` has answered `count` more requests than it had at `from`. */
const answered = (traffic: Traffic, from: number, count: number) =>
  waitFor(() => traffic.stats.total >= from + count, 60_000);

it('a subgraph frozen with SIGSTOP: the others keep their latency, its requests fail fast once its circuit opens, and it recovers after SIGCONT', async () => {
  const headers = tenant.owner.headers(tenant.tenantId);
  // Tenancy and auth: what must not notice.
  const others = startTraffic({
    url: stack.gatewayUrl,
    concurrency: 4,
    next: (n) =>
      n % 2 === 0
        ? { query: '{ tenant { id name } }', headers }
        : { query: '{ me { id email } }', headers: tenant.owner.headers() },
  });
  // Jobs: what freezes.
  const frozen = startTraffic({
    url: stack.gatewayUrl,
    concurrency: 2,
    next: (n) => ({
      query: 'query ($n: Int) { events(first: $n) { nodes { seq } } }',
      variables: { n: (n % 20) + 1 },
      headers,
    }),
  });
  // Warm-up (plans cached, roles cached, pools open), then the baseline.
  await answered(others, 0, 100);
  const baselineFrom = Date.now();
  await answered(others, others.stats.total, SAMPLE);
  const baseline = others.since(baselineFrom);

  const jobs = stack.processes.get('jobs')!;
  jobs.child.kill('SIGSTOP');
  const frozenAt = Date.now();
  await eventually(async () => (await jobsState()) === 2, 30_000);
  const openAt = Date.now();
  const rejectionsAtOpen = metricValue(
    await scrape(gatewayBase()),
    'tessera_circuit_rejections_total',
    { target: 'jobs' },
  );
  await answered(others, others.stats.total, SAMPLE);
  const whileFrozen = others.since(frozenAt);
  const frozenAfterOpen = frozen.since(openAt);
  const rejections =
    metricValue(await scrape(gatewayBase()), 'tessera_circuit_rejections_total', {
      target: 'jobs',
    }) - rejectionsAtOpen;

  jobs.child.kill('SIGCONT');
  const thawedAt = Date.now();
  await waitFor(() => frozen.since(thawedAt).some((outcome) => outcome.code === 'OK'), 30_000);
  const recoveredAt = frozen.since(thawedAt).find((outcome) => outcome.code === 'OK')!.at;
  const stateAfter = await jobsState();
  await Promise.all([others.stop(), frozen.stop()]);

  const baselineP99 = percentile(sortedLatencies(baseline), 0.99);
  const frozenP99 = percentile(sortedLatencies(whileFrozen), 0.99);
  const refused = sortedLatencies(frozenAfterOpen);
  reportScenario({
    scenario: 'frozen-subgraph',
    eventsWritten: 0,
    eventsReceived: 0,
    deliveries: 0,
    duplicates: 0,
    lost: 0,
    recoveryMs: recoveredAt - thawedAt,
    notes:
      `other subgraphs p99 ${baselineP99} ms before, ${frozenP99} ms while frozen ` +
      `(${(frozenP99 / baselineP99).toFixed(2)}x; ${baseline.length} and ${whileFrozen.length} requests); ` +
      `circuit open ${openAt - frozenAt} ms after SIGSTOP; frozen subgraph after open: ` +
      `${describeCodes(countCodes(frozenAfterOpen))}, p50 ${percentile(refused, 0.5)} ms, ` +
      `${rejections} refused without a call`,
  });

  expect(whileFrozen.every((outcome) => outcome.code === 'OK')).toBe(true);
  // Had the frozen subgraph held up the others, their slowest requests would have waited out
  // its timeout; a ratio of two latencies on a shared machine would only measure the machine.
  expect(frozenP99).toBeLessThan(SUBGRAPH_TIMEOUT_MS);
  // Once open, its requests are refused (not waited out): SERVICE_UNAVAILABLE, and most of them
  // without a call (only a probe per cool-down waits for its timeout).
  expect(new Set(frozenAfterOpen.map((outcome) => outcome.code))).toEqual(
    new Set(['SERVICE_UNAVAILABLE']),
  );
  expect(rejections).toBeGreaterThan(frozenAfterOpen.length / 2);
  expect(percentile(refused, 0.5)).toBeLessThan(SUBGRAPH_TIMEOUT_MS / 2);
  expect(stateAfter).toBe(0);
});

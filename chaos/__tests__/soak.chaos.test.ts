import {
  createTenant,
  latestSeq,
  mixedOperations,
  restartService,
  rssBytes,
  startChaosStack,
  writtenSeqs,
  type ChaosTenant,
} from '../../testing/chaos/fixtures';
import { describeCodes, reportScenario } from '../../testing/chaos/report';
import { resumingSubscriber } from '../../testing/chaos/resuming-subscriber';
import { stopStragglers } from '../../testing/chaos/stragglers';
import { startTraffic } from '../../testing/chaos/traffic';
import {
  createVerifiedEndpoint,
  journalEvents,
  receivedIds,
  waitForDeliveries,
} from '../../testing/chaos/webhook-endpoint';
import { metricValue, scrape } from '../../testing/graphql-client';
import type { TestStack } from '../../testing/stack';
import {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookReceiver,
} from '../../testing/webhook-receiver';

// A bounded soak: mixed queries and mutations over HTTP, subscribers on graphql-ws and webhook
// deliveries, all at once, with the resident memory of every process sampled every few hundred requests.
// What it reports is growth per 10 000 requests of the gateway's live heap (its size right
// after a collection, against requests served), bounded generously: a leak of kilobytes per
// request shows, the garbage collector's sawtooth does not.

const SOAK_MS = Number(process.env.CHAOS_SOAK_SECONDS ?? 60) * 1_000;
/** Requests before the first sample, and between two: memory is read against work done. */
const WARM_UP_REQUESTS = 1_000;
const REQUESTS_PER_SAMPLE = 250;
const SUBSCRIBERS = 5;
/** Live-heap growth per 10 000 requests above this is a leak (over 3 KB a request kept). */
const MAX_LIVE_GROWTH_PER_10K_BYTES = 32 * 1024 * 1024;
const TENANT_UPDATED = 'tenancy.tenant.updated';
const GATEWAY_HEAP_MB = 160;

let stack: TestStack;
let tenant: ChaosTenant;
let receiver: WebhookReceiver;
let endpoint: { deliveries: () => ReceivedWebhook[] };

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startChaosStack({
    env: { OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8', WEBHOOK_RETRY_SCHEDULE: '200ms,1s,5s' },
  });
  tenant = await createTenant(stack);
  // A gateway with a small old space collects often, so its live heap (the trough after each
  // collection) shows within a short run; a leak would also end in an out-of-memory crash.
  await stack.processes.get('gateway')!.stop();
  await restartService(stack, 'gateway', {
    NODE_OPTIONS: `--max-old-space-size=${GATEWAY_HEAP_MB}`,
  });
  endpoint = await createVerifiedEndpoint(stack.gatewayUrl, tenant, receiver, {
    path: '/chaos-soak',
    eventTypes: [TENANT_UPDATED],
    delayMs: 0,
  });
}, 120_000);

afterAll(async () => {
  await stopStragglers();
  await stack?.stop();
  await receiver?.close();
});

/** Least-squares slope of y against x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mean = (pick: (p: { x: number; y: number }) => number) =>
    points.reduce((sum, point) => sum + pick(point), 0) / n;
  const mx = mean((p) => p.x);
  const my = mean((p) => p.y);
  const covariance = points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0);
  const variance = points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

it(`serves ${SOAK_MS / 1000} s of mixed traffic with flat memory and nothing lost`, async () => {
  const start = await latestSeq(stack.db, tenant.tenantId);
  const deliveredBefore = endpoint.deliveries().length;
  const subscribers = Array.from({ length: SUBSCRIBERS }, () =>
    resumingSubscriber({
      urls: [stack.gatewayUrl],
      connectionParams: tenant.connectionParams,
      afterSeq: start,
    }),
  );
  const traffic = startTraffic({
    url: stack.gatewayUrl,
    concurrency: 6,
    next: mixedOperations(tenant),
  });

  const pids = Object.fromEntries(
    [...stack.processes].map(([name, service]) => [name, service.child.pid!]),
  );
  const samples: {
    at: number;
    requests: number;
    rss: Record<string, number>;
    heapUsed: number;
  }[] = [];
  const startedAt = Date.now();
  while (Date.now() - startedAt < SOAK_MS) {
    await traffic.answered(REQUESTS_PER_SAMPLE);
    if (traffic.stats.total < WARM_UP_REQUESTS) continue;
    samples.push({
      at: Date.now(),
      requests: traffic.stats.total,
      rss: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssBytes(pid)])),
      heapUsed: metricValue(
        await scrape(stack.url('gateway')),
        'tessera_nodejs_heap_size_used_bytes',
      ),
    });
    if (process.env.CHAOS_VERBOSE) {
      const sample = samples.at(-1)!;
      process.stdout.write(
        `  soak ${sample.requests} rss ${mb(sample.rss.gateway!)} heap ${mb(sample.heapUsed)}\n`,
      );
    }
  }
  const stats = await traffic.stop();
  const elapsedS = (Date.now() - startedAt) / 1000;

  const written = await writtenSeqs(stack.db, tenant.tenantId, start);
  await Promise.all(
    subscribers.map((subscriber) => subscriber.waitForAll(written).catch(() => {})),
  );
  await Promise.all(subscribers.map((subscriber) => subscriber.stop()));
  const updates = await journalEvents(stack.db, tenant.tenantId, start, TENANT_UPDATED);
  const webhookIds = receivedIds(endpoint.deliveries, deliveredBefore);
  await waitForDeliveries(
    stack,
    tenant.tenantId,
    updates.map((event) => event.id),
    webhookIds,
  );
  const got = webhookIds();
  const webhooksLost = updates.filter((event) => !got.has(event.id)).length;

  const rssGrowthPer10k = (name: string) =>
    slope(samples.map((sample) => ({ x: sample.requests, y: sample.rss[name]! }))) * 10_000;
  // The live heap is what is left after a collection: the lowest sample of each quarter of
  // the run (the capped heap collects every few seconds), against the requests served by then.
  // Quarters of as even a size as the count allows (ceil-sized ones could leave one empty).
  const bound = (index: number) => Math.floor((index * samples.length) / 4);
  const troughs = [0, 1, 2, 3]
    .map((index) => samples.slice(bound(index), bound(index + 1)))
    .filter((part) => part.length > 0)
    .map((part) => part.reduce((low, sample) => (sample.heapUsed < low.heapUsed ? sample : low)));
  const liveGrowthPer10k =
    slope(troughs.map((sample) => ({ x: sample.requests, y: sample.heapUsed }))) * 10_000;
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const sum = (pick: (subscriber: (typeof subscribers)[number]) => number) =>
    subscribers.reduce((total, subscriber) => total + pick(subscriber), 0);
  const perProcess = Object.keys(pids)
    .map(
      (name) =>
        `${name} ${mb(first.rss[name]!)}→${mb(last.rss[name]!)} (max ${mb(Math.max(...samples.map((sample) => sample.rss[name]!)))})`,
    )
    .join(', ');
  const live = troughs.map((sample) => mb(sample.heapUsed)).join(' → ');
  reportScenario({
    scenario: 'soak',
    eventsWritten: written.length,
    eventsReceived: sum((subscriber) => subscriber.tally.seen.size),
    deliveries: sum((subscriber) => subscriber.tally.deliveries),
    duplicates: sum((subscriber) => subscriber.tally.duplicates),
    lost: sum((subscriber) => subscriber.tally.missing(written).length) + webhooksLost,
    recoveryMs: null,
    notes:
      `${elapsedS.toFixed(0)} s, ${stats.total} requests (${(stats.total / elapsedS).toFixed(0)}/s; ${describeCodes(stats.codes)}), ` +
      `${SUBSCRIBERS} subscribers, ${got.size} of ${updates.length} events delivered by webhook; ` +
      `gateway live heap ${live} by quarter, growth ${mb(liveGrowthPer10k)} per 10k requests ` +
      `(RSS slope ${mb(rssGrowthPer10k('gateway'))} per 10k, old space capped at ${GATEWAY_HEAP_MB} MB); RSS ${perProcess}`,
  });

  expect(stats.uncoded).toEqual([]);
  expect(Object.keys(stats.codes)).toEqual(['OK']);
  expect(sum((subscriber) => subscriber.tally.missing(written).length)).toBe(0);
  expect(webhooksLost).toBe(0);
  // Alive after the soak (a leak would have run its capped heap out), with a flat live heap.
  expect(stack.processes.get('gateway')!.child.exitCode).toBeNull();
  expect(troughs.length).toBe(4);
  expect(liveGrowthPer10k).toBeLessThan(MAX_LIVE_GROWTH_PER_10K_BYTES);
}, 180_000);

import { createTestDatabase } from '../testing/database';
import { cleanupRedisPrefix, testRedisPrefix } from '../testing/redis';
import { startWebhookReceiver } from '../testing/webhook-receiver';
import type { BenchReport } from './lib/report';
import { measureBaseline } from './webhooks/bare-baseline';
import { assertClean, type Burst } from './webhooks/burst';
import { measureTessera, type TesseraBurst } from './webhooks/tessera-burst';

const WARMUP = 100;
/**
 * How long the slow receiver of the scale-out rows takes to answer. An instant receiver lets
 * one worker keep most of a small machine's cores busy, so a second process has little left to
 * use; endpoints that take a few hundred milliseconds, as real ones do, bound a worker by the
 * deliveries it holds in flight instead, which is what a second process adds.
 */
const SLOW_RECEIVER_MS = 250;

export interface WebhookDeliveryOptions {
  deliveries: number;
  concurrency: number;
  /** When set, Tessera's workers write V8 CPU profiles there (see docs/profiles/webhooks.md). */
  cpuProfileDir?: string;
}

/**
 * Webhook delivery throughput: a burst of N journal events for one endpoint, from the commit
 * of the events to the last signed POST at a local receiver (relay, fan-out rows and jobs,
 * worker: load, sign, SSRF-checked POST, attempt log, status event), with one worker process
 * and with two. Beside it, a bare BullMQ worker process that POSTs prepared, HMAC-signed
 * bodies with fetch, at the same concurrency, to the same receiver. Any failed attempt,
 * unrecorded attempt, lost or repeated message fails the bench.
 */
export async function webhookDelivery(options: WebhookDeliveryOptions): Promise<BenchReport> {
  const receiver = await startWebhookReceiver();
  const db = await createTestDatabase();
  const prefix = testRedisPrefix();
  try {
    const burst = { ...options, warmup: WARMUP };
    const baseline = await measureBaseline(receiver, prefix, burst);
    const one = await measureTessera(receiver, db, prefix, { ...burst, workers: 1 });
    const two = await measureTessera(receiver, db, prefix, { ...burst, workers: 2 });
    const slow = { ...burst, receiverDelayMs: SLOW_RECEIVER_MS };
    const slowOne = await measureTessera(receiver, db, prefix, { ...slow, workers: 1 });
    const slowTwo = await measureTessera(receiver, db, prefix, { ...slow, workers: 2 });
    assertClean('bare BullMQ + fetch', baseline);
    assertClean('Tessera, one worker', one);
    assertClean('Tessera, two workers', two);
    assertClean(`Tessera, one worker, ${SLOW_RECEIVER_MS} ms receiver`, slowOne);
    assertClean(`Tessera, two workers, ${SLOW_RECEIVER_MS} ms receiver`, slowTwo);
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    return {
      title: `Webhook delivery: a burst of ${options.deliveries} events to one endpoint`,
      setup:
        `${options.concurrency} deliveries at once per worker process, to a receiver on ` +
        `127.0.0.1 answering 200 at once (the last two rows: after ${SLOW_RECEIVER_MS} ms); latency from the burst's start (events committed, ` +
        `or jobs added) to each arrival, after a ${WARMUP}-delivery warm-up. CPU ms per ` +
        `delivery: the delivering processes' user + system time over the burst, and for ` +
        `Tessera the database backends' beside it. "recorded by": until the last attempt ` +
        `was in the attempt log. "machine CPU busy": the share of all cores in use (every ` +
        `process: PostgreSQL, Redis, the receiver) while the burst arrived.`,
      rows: [],
      table: {
        columns: [
          'target',
          'deliveries/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'recorded by ms',
          'worker CPU ms/delivery',
          'database CPU ms/delivery',
          'machine CPU busy',
          'deliveries',
          'errors',
          'lost',
          'sent twice',
        ],
        rows: [
          row('Tessera, 1 worker: journal → relay → fan-out → worker (signed, logged)', one),
          row('Tessera, 2 workers', two),
          row('bare BullMQ worker + fetch (signed body, nothing recorded)', baseline),
          row(`Tessera, 1 worker, receiver answering after ${SLOW_RECEIVER_MS} ms`, slowOne),
          row(`Tessera, 2 workers, receiver answering after ${SLOW_RECEIVER_MS} ms`, slowTwo),
        ],
      },
      ratios: [
        `Tessera (1 worker) / bare deliveries per second: ${ratio(one.perSecond, baseline.perSecond)}`,
        `Tessera (1 worker) / bare p99: ${ratio(one.p99Ms, baseline.p99Ms)}`,
        `Tessera 2 workers / 1 worker deliveries per second: ${ratio(two.perSecond, one.perSecond)}`,
        `Tessera 2 workers / 1 worker deliveries per second, receiver answering after ${SLOW_RECEIVER_MS} ms: ${ratio(slowTwo.perSecond, slowOne.perSecond)}`,
      ],
    };
  } finally {
    await db.drop();
    await cleanupRedisPrefix(prefix);
    await receiver.close();
  }
}

function row(name: string, burst: Burst | TesseraBurst): (string | number)[] {
  return [
    name,
    burst.perSecond,
    burst.p50Ms,
    burst.p95Ms,
    burst.p99Ms,
    'recordedByMs' in burst ? burst.recordedByMs : '–',
    burst.cpuMsPerDelivery,
    burst.databaseCpuMsPerDelivery ?? '–',
    `${Math.round(burst.machineBusy * 100)} %`,
    burst.deliveries,
    burst.errors,
    burst.lost,
    burst.duplicates,
  ];
}

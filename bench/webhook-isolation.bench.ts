import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../testing/database';
import { cleanupRedisPrefix, testRedisPrefix } from '../testing/redis';
import { appendBurst, insertActiveEndpoint, spawnDeliveryWorker } from '../testing/webhook-burst';
import { startWebhookReceiver, type WebhookReceiver } from '../testing/webhook-receiver';
import { percentile } from './lib/load';
import { postgresCpuBetween, postgresCpuSnapshot } from './lib/postgres-cpu';
import { cpuTimeMs } from './lib/process-cpu';
import type { BenchReport } from './lib/report';

export interface IsolationOptions {
  /** Endpoints, each of its own tenant; the first is the slow one when there is one. */
  endpoints: number;
  /** Events per tenant in the burst: endpoints × this many deliveries. */
  eventsPerEndpoint: number;
  /** Worker slots of the one worker process (WEBHOOK_CONCURRENCY). */
  concurrency: number;
  /** How long the slow endpoint holds each answer. */
  slowMs: number;
}

interface Round {
  name: string;
  slow: boolean;
  /** WEBHOOK_ENDPOINT_CONCURRENCY; undefined: the default. */
  cap?: string;
}

interface RoundResult {
  /** Deliveries to the other (fast) endpoints per second, from the burst's start to the last. */
  perSecond: number;
  p99Ms: number;
  fastDeliveries: number;
  /** The slow endpoint's deliveries by then. */
  slowDeliveries: number;
  workerCpuMsPerDelivery: number;
  postgresCpuMsPerDelivery: number;
  /** Attempts that did not succeed, deliveries received twice, deliveries missing. */
  errors: number;
}

/**
 * Isolation between endpoints: one worker process, a burst spread evenly over many endpoints
 * (each its own tenant), once with every endpoint answering at once and once with one of them
 * answering after `slowMs`; the other endpoints' throughput with the slow one against without,
 * both measured in this run. A third round runs the slow case with the per-endpoint cap
 * lifted to the worker's concurrency, to show what the cap buys.
 */
export async function webhookIsolation(options: IsolationOptions): Promise<BenchReport> {
  const receiver = await startWebhookReceiver();
  const db = await createTestDatabase();
  const rounds: Round[] = [
    { name: 'every endpoint fast', slow: false, cap: '4' },
    { name: `one endpoint answering after ${options.slowMs / 1000} s`, slow: true, cap: '4' },
    {
      name: `the same, without the per-endpoint cap`,
      slow: true,
      cap: String(options.concurrency),
    },
  ];
  try {
    const results: RoundResult[] = [];
    for (const round of rounds) results.push(await measureRound(receiver, db, round, options));
    const errors = results.reduce((total, result) => total + result.errors, 0);
    if (errors > 0) throw new Error(`webhook isolation bench: ${errors} errors`);
    const [fast, slow, uncapped] = results as [RoundResult, RoundResult, RoundResult];
    const deliveries = options.endpoints * options.eventsPerEndpoint;
    return {
      title: `Webhook isolation: a burst of ${deliveries} deliveries over ${options.endpoints} endpoints, one of them slow`,
      setup:
        `One worker process, WEBHOOK_CONCURRENCY ${options.concurrency}, per-endpoint cap ` +
        `WEBHOOK_ENDPOINT_CONCURRENCY at its default unless said; ${options.eventsPerEndpoint} ` +
        `events for each of ${options.endpoints} tenants with one endpoint each, at a receiver on ` +
        `127.0.0.1. Throughput and p99 (from the burst's commit) of the other ` +
        `${options.endpoints - 1} endpoints; CPU of the worker and of PostgreSQL per delivery made.`,
      rows: [],
      table: {
        columns: [
          'round',
          'other endpoints deliveries/s',
          'p99 ms',
          'deliveries (others)',
          'slow endpoint deliveries by then',
          'worker CPU ms/delivery',
          'PostgreSQL CPU ms/delivery',
          'errors',
        ],
        rows: rounds.map((round, index) => {
          const result = results[index]!;
          return [
            round.name,
            result.perSecond,
            result.p99Ms,
            result.fastDeliveries,
            round.slow ? result.slowDeliveries : '-',
            result.workerCpuMsPerDelivery,
            result.postgresCpuMsPerDelivery,
            result.errors,
          ];
        }),
      },
      ratios: [
        `with the slow endpoint / without, other endpoints' deliveries per second: ${(slow.perSecond / fast.perSecond).toFixed(2)} (goal ≥ 0.8)`,
        `without the cap / without the slow endpoint: ${(uncapped.perSecond / fast.perSecond).toFixed(2)}`,
      ],
    };
  } finally {
    await db.drop();
    await receiver.close();
  }
}

async function measureRound(
  receiver: WebhookReceiver,
  db: TestDatabase,
  round: Round,
  options: IsolationOptions,
): Promise<RoundResult> {
  const prefix = testRedisPrefix();
  const tag = randomUUID().slice(0, 8);
  const tenants = Array.from({ length: options.endpoints }, () => randomUUID());
  const endpointIds: string[] = [];
  const arrivals = new Arrivals();
  for (const [index, tenantId] of tenants.entries()) {
    const path = `/isolation-${tag}-${index}`;
    const isSlow = index === 0;
    receiver.route(path, (request) => {
      arrivals.record(isSlow, String(request.headers['webhook-id']), request.at);
      return isSlow && round.slow ? { delayMs: options.slowMs } : undefined;
    });
    endpointIds.push(await insertActiveEndpoint(db, tenantId, `${receiver.origin}${path}`));
  }
  const worker = await spawnDeliveryWorker(db, prefix, {
    WEBHOOK_CONCURRENCY: String(options.concurrency),
    ...(round.cap && { WEBHOOK_ENDPOINT_CONCURRENCY: round.cap }),
  });
  try {
    const others = options.endpoints - 1;
    // Warm-up: one delivery to each endpoint (connections, caches, JIT).
    await appendBurst(db, tenants.slice(1), 1);
    await arrivals.waitForFast(others, 120_000);
    arrivals.reset();

    const pgBefore = await postgresCpuSnapshot(db);
    const workerBefore = cpuTimeMs([worker.child.pid!]);
    const started = Date.now();
    await appendBurst(db, tenants, options.eventsPerEndpoint);
    await arrivals.waitForFast(others * options.eventsPerEndpoint, 300_000);
    const workerCpu = cpuTimeMs([worker.child.pid!]) - workerBefore;
    const pgCpu = postgresCpuBetween(pgBefore, await postgresCpuSnapshot(db));
    const made = arrivals.total();
    const latencies = arrivals.fast.map((at) => at - started).sort((a, b) => a - b);
    const elapsed = Math.max(1, latencies[latencies.length - 1] ?? 1);
    return {
      perSecond: Math.round((latencies.length / elapsed) * 10_000) / 10,
      p99Ms: percentile(latencies, 0.99),
      fastDeliveries: latencies.length,
      slowDeliveries: arrivals.slowCount,
      workerCpuMsPerDelivery: Math.round((workerCpu / made) * 100) / 100,
      postgresCpuMsPerDelivery: Math.round((pgCpu / made) * 100) / 100,
      errors:
        arrivals.duplicates +
        (await failedAttempts(db, endpointIds.slice(1))) +
        Math.max(0, others * options.eventsPerEndpoint - latencies.length),
    };
  } finally {
    // The slow endpoint's remaining deliveries stay behind in this round's own queue.
    await worker.stop('SIGKILL');
    await cleanupRedisPrefix(prefix);
  }
}

/** Attempts to `endpointIds` without a 2xx answer. */
async function failedAttempts(db: TestDatabase, endpointIds: string[]): Promise<number> {
  const [row] = await db.query<{ failed: string }>(
    `SELECT count(*) AS failed FROM jobs.webhook_attempts a
       JOIN jobs.webhook_deliveries d ON d.id = a.delivery_id
      WHERE d.endpoint_id = ANY($1::uuid[])
        AND (a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299)`,
    [endpointIds],
  );
  return Number(row?.failed ?? 0);
}

/** Arrival times of the fast endpoints' deliveries, the slow one's count, and repeats. */
class Arrivals {
  fast: number[] = [];
  slowCount = 0;
  duplicates = 0;
  private seen = new Set<string>();
  private waiter: { count: number; resolve: () => void } | null = null;

  record(slow: boolean, webhookId: string, at: number): void {
    if (this.seen.has(webhookId)) this.duplicates += 1;
    this.seen.add(webhookId);
    if (slow) this.slowCount += 1;
    else this.fast.push(at);
    if (this.waiter && this.fast.length >= this.waiter.count) this.waiter.resolve();
  }

  total(): number {
    return this.fast.length + this.slowCount;
  }

  reset(): void {
    this.fast = [];
    this.slowCount = 0;
  }

  waitForFast(count: number, timeoutMs: number): Promise<void> {
    if (this.fast.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`only ${this.fast.length} of ${count} deliveries in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        },
      };
    });
  }
}

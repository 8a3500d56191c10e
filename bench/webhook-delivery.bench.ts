import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DEVELOPMENT_ENCRYPTION_KEYS, encryption, parseConfig } from '../platform/config';
import { KeyRing } from '../platform/crypto';
import { EVENTS_NOTIFY_CHANNEL } from '../platform/events';
import { queuePrefix } from '../platform/redis';
import { createTestDatabase, type TestDatabase } from '../platform/testing/database';
import { cleanupRedisPrefix, testRedisPrefix } from '../platform/testing/redis';
import { TEST_REDIS_URL } from '../platform/testing/services';
import { startWebhookReceiver, type WebhookReceiver } from '../platform/testing/webhook-receiver';
import { spawnService } from '../scripts/lib/service-process';
import { percentile } from './lib/load';
import type { BenchReport } from './lib/report';

const WARMUP = 100;

interface Burst {
  deliveries: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/**
 * Webhook delivery throughput of one worker process: a burst of N journal events for one
 * endpoint, from the commit of the events to the last signed POST at a local receiver (relay,
 * fan-out rows and jobs, worker: load, sign, SSRF-checked POST, attempt log, status event).
 * Beside it, a bare BullMQ worker in the bench process that POSTs prepared, HMAC-signed
 * bodies with fetch, at the same concurrency, to the same receiver.
 */
export async function webhookDelivery(options: {
  deliveries: number;
  concurrency: number;
}): Promise<BenchReport> {
  const receiver = await startWebhookReceiver();
  const db = await createTestDatabase();
  const prefix = testRedisPrefix();
  try {
    const tessera = await measureTessera(receiver, db, prefix, options);
    const baseline = await measureBaseline(receiver, prefix, options);
    const row = (name: string, burst: Burst) => [
      name,
      burst.perSecond,
      burst.p50Ms,
      burst.p95Ms,
      burst.p99Ms,
      burst.deliveries,
    ];
    return {
      title: `Webhook delivery: a burst of ${options.deliveries} events to one endpoint`,
      setup:
        `One worker process, ${options.concurrency} deliveries at once, to a receiver on ` +
        `127.0.0.1 answering 200 at once; latency from the burst's start (events committed, ` +
        `or jobs added) to each arrival, after a ${WARMUP}-delivery warm-up.`,
      rows: [],
      table: {
        columns: ['target', 'deliveries/s', 'p50 ms', 'p95 ms', 'p99 ms', 'deliveries'],
        rows: [
          row('Tessera: journal → relay → fan-out → worker (signed, logged)', tessera),
          row('bare BullMQ worker + fetch (signed body, nothing recorded)', baseline),
        ],
      },
      ratios: [
        `Tessera / bare deliveries per second: ${(tessera.perSecond / baseline.perSecond).toFixed(2)}`,
      ],
    };
  } finally {
    await db.drop();
    await cleanupRedisPrefix(prefix);
    await receiver.close();
  }
}

async function measureTessera(
  receiver: WebhookReceiver,
  db: TestDatabase,
  prefix: string,
  options: { deliveries: number; concurrency: number },
): Promise<Burst> {
  const worker = await spawnService('worker', {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: db.urlAs('worker'),
      DATABASE_POOL_MAX: '10',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS,
      OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      WEBHOOK_CONCURRENCY: String(options.concurrency),
    },
  });
  try {
    const tenantId = randomUUID();
    const endpointId = randomUUID();
    const ring = KeyRing.fromConfig(
      parseConfig(encryption, { ENCRYPTION_KEYS: DEVELOPMENT_ENCRYPTION_KEYS }).ENCRYPTION_KEYS,
    );
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    await db.query(
      `INSERT INTO jobs.webhook_endpoints
         (id, tenant_id, url, event_types, status, verified_at, secret_ciphertext, created_at)
       VALUES ($1, $2, $3, '{*}', 'ACTIVE', now(), $4, now() - interval '1 minute')`,
      [endpointId, tenantId, `${receiver.origin}/tessera`, ring.encrypt(secret, endpointId)],
    );
    const burst = async (count: number) => {
      const started = Date.now();
      const before = receiver.at('/tessera').length;
      // As appendEvent does, through the tenant's counter, then one wake-up for the relay.
      await db.query(
        `WITH next AS (
           INSERT INTO events.sequences (scope, last_seq) VALUES ($1, $2)
           ON CONFLICT (scope) DO UPDATE SET last_seq = events.sequences.last_seq + $2
           RETURNING last_seq)
         INSERT INTO events.events (tenant_id, seq, type, payload)
         SELECT $1, next.last_seq - $2 + n, 'tenancy.tenant.updated', jsonb_build_object('n', n)
           FROM next, generate_series(1, $2::int) AS n`,
        [tenantId, count],
      );
      await db.query(`SELECT pg_notify($1, $2)`, [EVENTS_NOTIFY_CHANNEL, tenantId]);
      const arrived = await receiver.waitFor('/tessera', before + count, 300_000);
      return summarize(arrived.slice(before), started);
    };
    await burst(WARMUP);
    return await burst(options.deliveries);
  } finally {
    await worker.stop();
  }
}

async function measureBaseline(
  receiver: WebhookReceiver,
  prefix: string,
  options: { deliveries: number; concurrency: number },
): Promise<Burst> {
  const url = `${receiver.origin}/baseline`;
  const key = randomBytes(32);
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const workerConnection = connection.duplicate();
  const queue = new Queue('bench-webhooks', { connection, prefix: queuePrefix(prefix) });
  const worker = new Worker(
    'bench-webhooks',
    async (job) => {
      const body = JSON.stringify(job.data);
      const timestamp = Math.floor(Date.now() / 1000);
      const id = String(job.id);
      const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': `v1,${signature.toString('base64')}`,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
      });
      await response.arrayBuffer();
      if (response.status < 200 || response.status > 299)
        throw new Error(`HTTP ${response.status}`);
    },
    {
      connection: workerConnection,
      prefix: queuePrefix(prefix),
      concurrency: options.concurrency,
      removeOnComplete: { count: 1000 },
    },
  );
  try {
    const burst = async (count: number) => {
      const started = Date.now();
      const before = receiver.at('/baseline').length;
      await queue.addBulk(
        Array.from({ length: count }, (_, n) => ({
          name: 'deliver',
          data: { type: 'tenancy.tenant.updated', data: { n } },
        })),
      );
      const arrived = await receiver.waitFor('/baseline', before + count, 300_000);
      return summarize(arrived.slice(before), started);
    };
    await burst(WARMUP);
    return await burst(options.deliveries);
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
    workerConnection.disconnect();
  }
}

function summarize(arrivals: { at: number }[], started: number): Burst {
  const latencies = arrivals.map((arrival) => arrival.at - started).sort((a, b) => a - b);
  const elapsed = Math.max(1, latencies[latencies.length - 1] ?? 1);
  return {
    deliveries: arrivals.length,
    perSecond: Math.round((arrivals.length / elapsed) * 10_000) / 10,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
  };
}

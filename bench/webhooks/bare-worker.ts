import { createHmac, randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * The baseline's delivering process: a bare BullMQ worker that signs each job's data as
 * Standard Webhooks does and POSTs it with fetch (undici's pooled keep-alive connections),
 * recording nothing. A process of its own, like Tessera's worker, so its CPU time is counted
 * apart from the receiver's. Started by bare-baseline.ts with its settings as JSON in argv[2];
 * prints `ready`, and on SIGTERM prints `{"failed":N}` and exits.
 */
interface BareWorkerSettings {
  redisUrl: string;
  prefix: string;
  queue: string;
  url: string;
  concurrency: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as BareWorkerSettings;
  const key = randomBytes(32);
  const connection = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
  let failed = 0;
  const worker = new Worker(
    settings.queue,
    async (job) => {
      const body = JSON.stringify(job.data);
      const timestamp = Math.floor(Date.now() / 1000);
      const id = String(job.id);
      const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
      const response = await fetch(settings.url, {
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
      connection,
      prefix: settings.prefix,
      concurrency: settings.concurrency,
      removeOnComplete: { count: 1000 },
    },
  );
  worker.on('failed', () => (failed += 1));
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void worker.close().then(() => {
      connection.disconnect();
      process.stdout.write(`${JSON.stringify({ failed })}\n`);
      process.exit(0);
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bare worker failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});

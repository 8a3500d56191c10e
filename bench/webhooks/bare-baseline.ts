import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { repoRoot } from '../../platform/paths';
import { queuePrefix } from '../../platform/redis/connection';
import { TEST_REDIS_URL } from '../../testing/services';
import type { WebhookReceiver } from '../../testing/webhook-receiver';
import { busyShare, machineCpu } from '../lib/machine-cpu';
import { measureCpu } from '../lib/process-cpu';
import { countLossAndRepeats, round, summarize, type Burst } from './burst';

const QUEUE = 'bench-webhooks';
const PATH = '/baseline';

/**
 * The same burst through a bare BullMQ worker + fetch in a process of its own (bare-worker.ts):
 * jobs added with one addBulk, each signed and POSTed, nothing recorded.
 */
export async function measureBaseline(
  receiver: WebhookReceiver,
  prefix: string,
  options: { deliveries: number; concurrency: number; warmup: number },
): Promise<Burst> {
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE, { connection, prefix: queuePrefix(prefix) });
  const worker = await startBareWorker({
    redisUrl: TEST_REDIS_URL,
    prefix: queuePrefix(prefix),
    queue: QUEUE,
    url: `${receiver.origin}${PATH}`,
    concurrency: options.concurrency,
  });
  try {
    const burst = async (count: number) => {
      const started = Date.now();
      const before = receiver.at(PATH).length;
      const jobs = await queue.addBulk(
        Array.from({ length: count }, (_, n) => ({
          name: 'deliver',
          data: { type: 'tenancy.tenant.updated', data: { n } },
        })),
      );
      const arrived = (await receiver.waitFor(PATH, before + count, 300_000)).slice(before);
      return { arrived, started, before, ids: jobs.map((job) => String(job.id)) };
    };
    await burst(options.warmup);
    const machineBefore = machineCpu();
    const { result, cpuMs } = await measureCpu([worker.child.pid!], () =>
      burst(options.deliveries),
    );
    const machineBusy = busyShare(machineBefore, machineCpu());
    const failed = await worker.stop();
    return {
      ...summarize(result.arrived, result.started),
      cpuMsPerDelivery: round(cpuMs / options.deliveries),
      databaseCpuMsPerDelivery: null,
      machineBusy: round(machineBusy),
      errors: failed,
      // Everything that came after the burst began, so a late repeat is counted too.
      ...countLossAndRepeats(receiver.at(PATH).slice(result.before), result.ids),
    };
  } finally {
    await worker.stop();
    await queue.close();
    connection.disconnect();
  }
}

interface BareWorker {
  child: ChildProcess;
  /** Stops the worker and answers how many jobs failed. */
  stop(): Promise<number>;
}

async function startBareWorker(settings: Record<string, unknown>): Promise<BareWorker> {
  const child = spawn(
    process.execPath,
    [join(repoRoot(), 'dist/bench/webhooks/bare-worker.js'), JSON.stringify(settings)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let failed = 0;
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') resolve();
      else failed = (JSON.parse(line) as { failed: number }).failed;
    });
    void exited.then(() => reject(new Error('the bare worker exited before it was ready')));
  });
  return {
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      return failed;
    },
  };
}

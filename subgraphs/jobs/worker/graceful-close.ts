import type { Job, Worker } from 'bullmq';
import type { Logger } from 'pino';

/** The jobs a worker process is running, with the lock tokens that prove it holds them. */
export class JobsInHand {
  readonly #jobs = new Map<string, { job: Job; token: string }>();

  /** Runs `fn` for `job`, remembering it meanwhile (wrap each processor with it). */
  async track<T>(job: Job, token: string | undefined, fn: () => Promise<T>): Promise<T> {
    const key = `${job.queueName}:${job.id}`;
    if (token) this.#jobs.set(key, { job, token });
    try {
      return await fn();
    } finally {
      this.#jobs.delete(key);
    }
  }

  get size(): number {
    return this.#jobs.size;
  }

  values(): { job: Job; token: string }[] {
    return [...this.#jobs.values()];
  }
}

/**
 * SIGTERM for BullMQ workers: take no new jobs and let those in hand finish within
 * `graceMs`; whatever still runs then is handed back to its queue (moved to wait, its lock
 * released, its attempts untouched) so another worker takes it at once instead of waiting
 * for the stalled check, and the process goes on shutting down without them. Jobs are idempotent,
 * so one handed back while its processor was about to finish merely runs again.
 */
export async function closeWorkersGracefully(
  workers: readonly Worker[],
  inHand: JobsInHand,
  options: { graceMs: number; logger: Logger },
): Promise<void> {
  const closing = Promise.all(workers.map((worker) => worker.close()));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    closing.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), options.graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!timedOut) return;
  for (const { job, token } of inHand.values()) {
    try {
      await job.moveToWait(token);
      options.logger.warn(
        { queue: job.queueName, job: job.name, jobId: job.id },
        'shutting down: job handed back to its queue',
      );
    } catch (error) {
      // Its lock expires on its own; the stalled check then hands it out again.
      options.logger.warn(
        { err: error, queue: job.queueName, jobId: job.id },
        'could not hand a job back',
      );
    }
  }
  // BullMQ's close, once begun, keeps waiting for those processors (a forced close joins it),
  // so it is left behind: the jobs are back in their queues, and the process is ending.
  void closing.catch(() => undefined);
}
